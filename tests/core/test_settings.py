"""Settings fail fast, with a message naming what is missing."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _check(env_overrides: dict) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CAPILLARY_", "SECRET_KEY", "DEBUG"))}
    env.update({"DJANGO_SETTINGS_MODULE": "memberconsole.settings", **env_overrides})
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_secret_key_required_when_debug_off():
    result = _check({"DEBUG": "False"})
    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr


@pytest.mark.parametrize(
    ("auth", "given", "missing"),
    [
        ("basic", {"CAPILLARY_USERNAME": "till"}, "CAPILLARY_PASSWORD"),
        ("oauth", {"CAPILLARY_OAUTH_KEY": "k"}, "CAPILLARY_OAUTH_SECRET"),
    ],
)
def test_live_capillary_without_credentials_fails_naming_them(auth, given, missing):
    result = _check(
        {
            "DEBUG": "False",
            "SECRET_KEY": "x" * 50,
            "CAPILLARY_BASE_URL": "https://eu.api.capillarytech.com",
            "CAPILLARY_AUTH": auth,
            **given,
        }
    )
    assert result.returncode != 0
    assert missing in result.stderr


def test_debug_off_with_secret_and_fake_starts():
    result = _check({"DEBUG": "False", "SECRET_KEY": "x" * 50})
    assert result.returncode == 0, result.stderr


def _manage(args: list[str], env_overrides: dict) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CAPILLARY_", "SECRET_KEY", "DEBUG"))}
    env.update({"DJANGO_SETTINGS_MODULE": "memberconsole.settings", **env_overrides})
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
    )


def test_runserver_without_secret_key_fails_at_start():
    result = _manage(["runserver", "--noreload", "127.0.0.1:0"], {"DEBUG": "False"})
    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr


def test_offline_management_commands_need_no_secret_key():
    result = _manage(["makemigrations", "--check", "--dry-run"], {"DEBUG": "False"})
    assert result.returncode == 0, result.stderr
