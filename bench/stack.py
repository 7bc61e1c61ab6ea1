"""The production profile for the benchmarks: start it, log agents in, stop it.

Everything a benchmark needs runs as its own process, as in production: the fake Capillary in socket mode (its own
SQLite file, a seed, a latency fault on every /v2 call), gunicorn with `gunicorn.conf.py` on PostgreSQL and Redis, and
`manage.py db_worker` task workers. The benchmarks use a PostgreSQL database and a Redis db number of their own
(BENCH_DATABASE, default `mc_bench`; BENCH_REDIS_DB, default 5), so they never touch the test suite's
(`test_memberconsole`, Redis db 3) or a developer's. DEBUG is off, static files are collected, HTTPS is off (plain
HTTP on the loopback, as behind a proxy that terminates TLS).

    from bench.stack import Stack
    with Stack(env={"VIEW_PER_MINUTE": "100000"}) as stack:
        fake = stack.start_fake(customers=100_000, latency_ms=50)
        stack.prepare(agents=10)
        web = stack.start_gunicorn(port=8601)
        stack.start_worker()
        cookies = stack.login(web, "agent001")
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
PG_BASE = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
PG_DATABASE = os.environ.get("BENCH_DATABASE", "mc_bench")
REDIS_BASE = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379")
REDIS_DB = int(os.environ.get("BENCH_REDIS_DB", "5"))
AGENT_PASSWORD = "bench-agent-password-1"
FAKE_USERNAME = "memberconsole.till"  # the fake's own till (memberconsole/fake_capillary/org.json)
FAKE_PASSWORD = "fake-capillary-demo"
CLK_TCK = os.sysconf("SC_CLK_TCK")
# Per-user limits and the Capillary budget raised out of the way: a benchmark measures the console, not its limits
# (their cache round trips still happen on every request).
RAISED_LIMITS = {
    "SEARCH_PER_MINUTE": "1000000",
    "SEARCH_PER_HOUR": "1000000",
    "VIEW_PER_MINUTE": "1000000",
    "VIEW_PER_HOUR": "1000000",
    "CAPILLARY_RATE_LIMIT_DEFAULT": "1000000",
    "CAPILLARY_RATE_LIMITS": "POST /v2/customers=1000000",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) of values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, round(p / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def machine() -> str:
    """The machine in one line: CPU model, cores, load average now."""
    model = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return f"{model}, {os.cpu_count()} cores, load average {load}, Python {sys.version.split()[0]}"


def cpu_seconds(pid: int) -> float:
    """A process's CPU time so far (user + system, every thread), from /proc/<pid>/stat."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime (fields 14 and 15 of stat)


def children(pid: int) -> list[int]:
    """The direct children of a process (gunicorn's workers)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            stat = (entry / "stat").read_text()
            if int(stat[stat.rindex(")") + 2 :].split()[1]) == pid:
                found.append(int(entry.name))
    return sorted(found)


@dataclass
class Web:
    """One gunicorn app server."""

    port: int
    process: subprocess.Popen

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def workers(self) -> list[int]:
        return children(self.process.pid)

    def cpu(self) -> float:
        """CPU seconds used so far by this server's worker processes."""
        return sum(cpu_seconds(pid) for pid in self.workers())


@dataclass
class Stack:
    """Processes and state of one benchmark; stops everything it started on exit."""

    env: dict[str, str] = field(default_factory=dict)
    database: str = PG_DATABASE
    redis_db: int = REDIS_DB
    quiet: bool = False
    run_dir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="mc-bench-")))
    processes: list[subprocess.Popen] = field(default_factory=list)
    fake_url: str = ""

    def __enter__(self) -> Stack:
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def say(self, text: str) -> None:
        if not self.quiet:
            print(f"  [{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)

    # ------------------------------------------------------------------ environment

    @property
    def database_url(self) -> str:
        return f"{PG_BASE}/{self.database}"

    @property
    def cache_url(self) -> str:
        return f"{REDIS_BASE}/{self.redis_db}"

    def console_env(self, *, root: Path = ROOT, **extra: str) -> dict[str, str]:
        """The environment of every console process: the production settings module, DEBUG off, this run's
        PostgreSQL database and Redis db, the fake Capillary as a live cluster."""
        env = {
            k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CAPILLARY_", "DATABASE_", "CACHE_"))
        }
        env.update(
            DJANGO_SETTINGS_MODULE="memberconsole.settings",
            PYTHONPATH=str(root),
            DEBUG="False",
            SECRET_KEY="bench-secret-key-" + "x" * 40,
            HTTPS="False",
            ALLOWED_HOSTS="127.0.0.1,localhost",
            DATABASE_URL=self.database_url,
            CACHE_URL=self.cache_url,
            CAPILLARY_BASE_URL=self.fake_url or "http://127.0.0.1:9",
            CAPILLARY_USERNAME=FAKE_USERNAME,
            CAPILLARY_PASSWORD=FAKE_PASSWORD,
            LOG_LEVEL="INFO",
        )
        env.update(self.env)
        env.update(extra)
        return env

    def manage(self, *args: str, root: Path = ROOT, **extra: str) -> str:
        """Run `manage.py ARGS` with the console's environment; its output."""
        done = subprocess.run(
            [PY, "manage.py", *args],
            cwd=root,
            env=self.console_env(root=root, **extra),
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def _spawn(
        self, args: list[str], *, log: str, env: dict[str, str] | None = None, root: Path = ROOT
    ) -> subprocess.Popen:
        out = open(self.run_dir / log, "ab")  # noqa: SIM115 -- lives as long as the process
        process = subprocess.Popen(
            args, cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.processes.append(process)
        return process

    # ------------------------------------------------------------------ the fake Capillary

    def start_fake(self, *, customers: int = 0, latency_ms: int = 50, log_size: int = 1000) -> str:
        """The fake Capillary in socket mode on its own SQLite file, seeded, with latency on every /v2 call."""
        db = self.run_dir / "fake.sqlite3"
        started = time.perf_counter()
        process = subprocess.Popen(
            [PY, "-m", "memberconsole.fake_capillary", "--port", "0", "--db", str(db)]
            + (["--customers", str(customers)] if customers else []),
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            start_new_session=True,
        )
        self.processes.append(process)
        for line in process.stdout:
            if "listening on" in line:
                self.fake_url = line.rsplit(" ", 1)[-1].strip()
                break
        else:
            raise RuntimeError("the fake Capillary did not start")
        # Nobody reads its stdout from now on: the fake prints nothing more while it serves.
        with httpx.Client(base_url=self.fake_url, timeout=30) as fake:
            if log_size != 1000:
                fake.post("/__fake__/config", json={"behaviour": {"request_log_size": log_size}}).raise_for_status()
            if latency_ms:
                fake.post(
                    "/__fake__/faults", json={"path": "/v2/", "delay_ms": latency_ms, "count": None}
                ).raise_for_status()
        self.say(
            f"fake Capillary at {self.fake_url}: {customers:,} customers, {latency_ms} ms on every /v2 call "
            f"({time.perf_counter() - started:.1f} s)"
        )
        return self.fake_url

    def fake(self) -> httpx.Client:
        return httpx.Client(base_url=self.fake_url, timeout=60)

    # ------------------------------------------------------------------ database, cache, users

    def prepare(self, *, agents: int = 1, supervisors: int = 0) -> None:
        """A new PostgreSQL database and an empty Redis db; migrate, collect static files, create the logins."""
        import psycopg
        import redis

        if not re.fullmatch(r"[a-z_][a-z0-9_]*", self.database) or self.database in ("postgres", "test_memberconsole"):
            raise ValueError(f"refusing database name {self.database!r}")
        if self.redis_db == 3:
            raise ValueError("Redis db 3 is the test suite's")
        with psycopg.connect(f"{PG_BASE}/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {self.database} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {self.database}")
        redis.Redis.from_url(self.cache_url).flushdb()
        self.manage("migrate", "--noinput")
        if not (ROOT / "staticfiles" / "staticfiles.json").exists():
            self.manage("collectstatic", "--noinput")
        self.manage(
            "shell",
            "-c",
            _USERS_SCRIPT.format(agents=agents, supervisors=supervisors, password=AGENT_PASSWORD),
        )
        self.say(f"database {self.database} migrated, Redis db {self.redis_db} empty, {agents} agents")

    def flush_cache(self) -> None:
        import redis

        redis.Redis.from_url(self.cache_url).flushdb()

    # ------------------------------------------------------------------ app servers and workers

    def start_gunicorn(
        self,
        *,
        port: int | None = None,
        workers: int | None = None,
        threads: int | None = None,
        root: Path = ROOT,
        **extra: str,
    ) -> Web:
        """gunicorn -c gunicorn.conf.py memberconsole.wsgi (from `root`: another revision's tree for a comparison),
        waiting until /healthz answers."""
        port = port or free_port()
        if not (root / "staticfiles" / "staticfiles.json").exists():
            self.manage("collectstatic", "--noinput", root=root)
        env = self.console_env(root=root, BIND=f"127.0.0.1:{port}", **extra)
        if workers:
            env["WEB_CONCURRENCY"] = str(workers)
        if threads:
            env["GUNICORN_THREADS"] = str(threads)
        gunicorn = str(Path(PY).parent / "gunicorn")
        process = self._spawn(
            [gunicorn, "-c", "gunicorn.conf.py", "memberconsole.wsgi"], log=f"gunicorn-{port}.log", env=env, root=root
        )
        web = Web(port=port, process=process)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: see {self.run_dir / f'gunicorn-{port}.log'}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{web.url}/healthz", timeout=2).status_code == 200:
                    expected = int(env.get("WEB_CONCURRENCY", "3"))
                    if len(web.workers()) >= expected:
                        self.say(f"gunicorn on {web.url}: {expected} workers")
                        return web
            time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer /healthz within 60 s")

    def start_worker(self, **extra: str) -> subprocess.Popen:
        """One `manage.py db_worker` task worker."""
        n = sum(1 for p in self.processes if "db_worker" in p.args)
        process = self._spawn(
            [PY, "manage.py", "db_worker", "--no-reload", "--no-startup-delay"],
            log=f"worker-{n}.log",
            env=self.console_env(**extra),
        )
        self.say("db_worker started")
        return process

    def checkout(self, revision: str) -> Path:
        """Another revision's files (git archive, no worktree), for a side-by-side comparison with this one."""
        target = self.run_dir / f"rev-{revision.replace('/', '_')}"
        target.mkdir()
        archive = subprocess.run(["git", "archive", revision], cwd=ROOT, capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
        return target

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        for process in reversed(self.processes):
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)
        self.processes.clear()
        if os.environ.get("BENCH_KEEP_LOGS"):
            self.say(f"logs kept in {self.run_dir}")
        else:
            shutil.rmtree(self.run_dir, ignore_errors=True)

    # ------------------------------------------------------------------ agents

    def login(self, web: Web, username: str) -> dict[str, str]:
        """Sign in through the login form, as an agent does; the session and CSRF cookies."""
        with httpx.Client(base_url=web.url, timeout=30) as http:
            http.get("/accounts/login/")
            token = http.cookies["csrftoken"]
            response = http.post(
                "/accounts/login/",
                data={"username": username, "password": AGENT_PASSWORD, "csrfmiddlewaretoken": token},
            )
            if response.status_code != 302:
                raise RuntimeError(f"login of {username} failed: {response.status_code}")
            return {"sessionid": http.cookies["sessionid"], "csrftoken": http.cookies["csrftoken"]}


def agent_name(n: int) -> str:
    return f"agent{n:03d}"


_USERS_SCRIPT = """
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from memberconsole.core.roles import AGENT, SUPERVISOR

User = get_user_model()
password = make_password({password!r})
agents, supervisors = Group.objects.get(name=AGENT), Group.objects.get(name=SUPERVISOR)
for n in range(1, {agents} + 1):
    user, _ = User.objects.update_or_create(username=f"agent{{n:03d}}", defaults={{"password": password}})
    user.groups.set([agents])
for n in range(1, {supervisors} + 1):
    user, _ = User.objects.update_or_create(
        username=f"supervisor{{n:03d}}", defaults={{"password": password, "is_staff": True}}
    )
    user.groups.set([supervisors])
"""


def table(headers: list[str], rows: list[list[object]]) -> str:
    """A Markdown table, numbers right-aligned."""

    def cell(value: object) -> str:
        return value if isinstance(value, str) else f"{value}"

    text_rows = [[cell(v) for v in row] for row in rows]
    align = ["---:" if all(isinstance(row[i], (int, float)) for row in rows) else "---" for i in range(len(headers))]
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join(align) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in text_rows]
    return "\n".join(lines)


def seeded_id(n: int) -> int:
    """The id of generated customer n (1-based) in the fake's seed."""
    return 100_000_000 + n


def mobile_as_typed(customer_id: int, style: int) -> str:
    """A generated customer's mobile the way agents type it: style 0-4 picks one of five formats."""
    from memberconsole.fake_capillary.generate import generated_mobile

    national = generated_mobile(customer_id)[2:]  # 10 digits after the country code 91
    formats = (
        f"+91 {national[:5]} {national[5:]}",
        f"0{national}",
        national,
        f"91-{national[:5]}-{national[5:]}",
        f"+91{national}",
    )
    return formats[style % len(formats)]
