"""Member Console settings: one module, every value from the environment (see .env.example)."""

import secrets
import sys
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from memberconsole.env import BASE_DIR, env

VERSION = "0.1.0"

DEBUG = env.bool("DEBUG", default=False)

# A console that serves pages (gunicorn, runserver) must have a SECRET_KEY when DEBUG is off. Offline management
# commands (migrate, makemigrations, sync_capillary_config, ...) sign nothing that outlives them: a throwaway key.
_OFFLINE_COMMAND = Path(sys.argv[0]).name == "manage.py" and sys.argv[1:2] not in (["runserver"], [])
_SECRET_KEY = env("SECRET_KEY", default="")
if not _SECRET_KEY:
    if DEBUG:
        _SECRET_KEY = "insecure-dev-only-key-do-not-use-in-production"
    elif _OFFLINE_COMMAND:
        _SECRET_KEY = secrets.token_urlsafe(50)
    else:
        raise ImproperlyConfigured(
            "SECRET_KEY is required when DEBUG is off. Set SECRET_KEY in the environment or .env."
        )
SECRET_KEY = _SECRET_KEY

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])

# Local state (SQLite databases of the console and of the fake Capillary) lives in var/, ignored by git.
VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)

INSTALLED_APPS = [
    "memberconsole.core.apps.ConsoleAdminConfig",  # Django admin with the console's site (403 for non-staff)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks_db",
    "axes",
    "memberconsole.core",
    "memberconsole.customers",
    "memberconsole.registration",
    "memberconsole.bulk",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "memberconsole.core.middleware.SecurityHeadersMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "memberconsole.core.middleware.SessionTimeoutMiddleware",
    "memberconsole.core.middleware.ConsoleLoginRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "memberconsole.core.middleware.CapillaryRequestIdsMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses a locked-out username from its IP before the password check
    # Django's ModelBackend, with the signed-in user and their permissions kept in the cache between changes
    # (core/auth.py): three queries fewer on every request.
    "memberconsole.core.auth.CachedModelBackend",
]

ROOT_URLCONF = "memberconsole.urls"
WSGI_APPLICATION = "memberconsole.wsgi.application"
ASGI_APPLICATION = "memberconsole.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "memberconsole.core.context_processors.console",
            ],
            "builtins": ["django.templatetags.static"],
        },
    }
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
DATABASES["default"].setdefault("CONN_MAX_AGE", 60 if not DATABASES["default"]["ENGINE"].endswith("sqlite3") else 0)
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The embedded default has concurrent writers (the web server's threads, the task worker): write-ahead logging so
    # reads never wait, writes that take their lock up front and wait for it rather than fail (Django's SQLite notes).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://memberconsole")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    CACHES["default"]["BACKEND"] = "memberconsole.core.cache.RedisCache"  # one redis-py client per pool (core/cache.py)

# Background work (bulk lookups) on Django's task framework with django-tasks-db's database backend: the tasks live in
# the database (PostgreSQL in production, where several workers on several machines take tasks with SKIP LOCKED; SQLite
# in the embedded default). Run workers with `python manage.py db_worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A bulk job's runner writes a heartbeat every BULK_HEARTBEAT_SECONDS; a watch task looks every BULK_WATCH_SECONDS and
# hands a job whose heartbeat is BULK_STALE_SECONDS old to a live worker (a dead worker's job moves within a minute).
BULK_HEARTBEAT_SECONDS = env.float("BULK_HEARTBEAT_SECONDS", default=5.0)
BULK_WATCH_SECONDS = env.float("BULK_WATCH_SECONDS", default=20.0)
BULK_STALE_SECONDS = env.float("BULK_STALE_SECONDS", default=30.0)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"  # messages may name a customer
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env("TIME_ZONE", default="Asia/Kolkata")
ORG_CURRENCY = env("ORG_CURRENCY", default="INR").upper()  # ISO 4217 code of the org's money
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = False  # numbers are formatted on purpose (number, amount filters); IDs never

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# HTTPS defaults on when DEBUG is off; HTTPS=False serves plain HTTP (behind a trusted proxy, or a local check).
HTTPS = env.bool("HTTPS", default=not DEBUG)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = env.bool("HSTS_PRELOAD", default=HTTPS)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

# Sessions: a session ends after SESSION_IDLE_MINUTES without a page request (30), after SESSION_COOKIE_AGE in all
# (10 hours, one working shift) and when the browser closes.
# Where sessions live: in the shared cache when it is Redis (a save is one SET, where cached_db also writes the database
# in a transaction: 2 ms of a search's CPU, which saves the session twice for its "found by" message); with the
# embedded local-memory cache (one process's memory), in the database behind the cache, so a restart of `make run`
# keeps agents signed in. SESSION_ENGINE overrides either. On Redis, a restart without persistence or an eviction
# signs agents out: run it with persistence and `maxmemory-policy noeviction` (README, production).
SESSION_ENGINE = env(
    "SESSION_ENGINE",
    default="django.contrib.sessions.backends.cache"
    if CACHES["default"]["BACKEND"] == "memberconsole.core.cache.RedisCache"
    else "django.contrib.sessions.backends.cached_db",
)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = env.int("SESSION_MAX_HOURS", default=10) * 60 * 60
SESSION_IDLE_MINUTES = env.int("SESSION_IDLE_MINUTES", default=30)

# Content-Security-Policy (Django's own): scripts and styles from this origin only, no inline script, no eval.
# htmx is configured accordingly in base.html (no eval, no injected indicator styles).
from django.utils.csp import CSP  # noqa: E402

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()"
)

# Login throttling (django-axes): AXES_FAILURE_LIMIT failures for a username from one IP lock it for
# AXES_COOLOFF_MINUTES; administrators unlock in Django admin (Axes > Access attempts).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.int("AXES_COOLOFF_MINUTES", default=15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False  # the console's own audit trail records failures and lockouts
# The same address the audit trail records (REMOTE_ADDR, or X-Forwarded-For from AUDIT_TRUSTED_PROXIES): behind a
# proxy, lockouts are per agent address, not per proxy.
AXES_CLIENT_IP_CALLABLE = "memberconsole.core.audit.client_ip"

# Who sees what (core/masking.py, core/ratelimits.py, customers reveal).
MASK_EXTERNAL_IDS = env.bool("MASK_EXTERNAL_IDS", default=False)
REVEAL_MINUTES = env.int("REVEAL_MINUTES", default=5)
# Per-user limits, shared by every worker through the cache: "N/minute" and "N/hour" for searches and customer views.
RATE_LIMITS = {
    "search": (env.int("SEARCH_PER_MINUTE", default=60), env.int("SEARCH_PER_HOUR", default=600)),
    "view": (env.int("VIEW_PER_MINUTE", default=60), env.int("VIEW_PER_HOUR", default=600)),
    # The customer page's activity area (transactions, ledger, expiry, coupons: four loads per page, then paging).
    "activity": (env.int("ACTIVITY_PER_MINUTE", default=300), env.int("ACTIVITY_PER_HOUR", default=3000)),
}
BULK_MAX_ENTRIES = {
    "agent": env.int("BULK_MAX_ENTRIES", default=500),
    "large": env.int("BULK_MAX_ENTRIES_LARGE", default=5000),
}
BULK_MAX_RUNNING = env.int("BULK_MAX_RUNNING", default=2)
BULK_DAILY_ENTRIES = {
    "agent": env.int("BULK_DAILY_ENTRIES", default=2000),
    "large": env.int("BULK_DAILY_ENTRIES_LARGE", default=20000),
}

# Audit trail: entries older than AUDIT_RETENTION_DAYS are pruned by `manage.py prune_audit_trail`.
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=400)
AUDIT_HASH_KEY = env("AUDIT_HASH_KEY", default="")  # keys the search hashes; empty: derived from SECRET_KEY
AUDIT_TRUSTED_PROXIES = env.list("AUDIT_TRUSTED_PROXIES", default=[])  # proxies whose X-Forwarded-For is believed

# Capillary: unset CAPILLARY_BASE_URL means the built-in fake Capillary, in-process.
CAPILLARY_BASE_URL = env("CAPILLARY_BASE_URL", default="")
CAPILLARY_AUTH = env("CAPILLARY_AUTH", default="basic").lower()
CAPILLARY_USERNAME = env("CAPILLARY_USERNAME", default="")
CAPILLARY_PASSWORD = env("CAPILLARY_PASSWORD", default="")
CAPILLARY_OAUTH_KEY = env("CAPILLARY_OAUTH_KEY", default="")
CAPILLARY_OAUTH_SECRET = env("CAPILLARY_OAUTH_SECRET", default="")
CAPILLARY_TIMEOUT = env.float("CAPILLARY_TIMEOUT", default=10.0)
CAPILLARY_DEFAULT_SOURCE = env("CAPILLARY_DEFAULT_SOURCE", default="INSTORE")
CAPILLARY_DEFAULT_COUNTRY = env("CAPILLARY_DEFAULT_COUNTRY", default="IN").upper()
# Blocks asked of POST /v2/bulk/getCustomers (its page documents no embed; "mlp" gives bulk rows tier and points).
CAPILLARY_BULK_EMBED = env.list("CAPILLARY_BULK_EMBED", default=["mlp"])
# A customer's activity answers (transactions, ledger, expiry, coupons) are kept this long in the shared cache, before
# masking, and dropped when the console changes the customer; 0 asks Capillary on every open.
ACTIVITY_CACHE_SECONDS = env.int("ACTIVITY_CACHE_SECONDS", default=60)
# Identifier kinds POST /v2/bulk/getCustomers takes (identifierName: bulk-get-customers.txt,
# docs.capillarytech.com/reference/get-customers-bulk): a bulk lookup sends them 100 to a call; any other kind, or all
# of them with this empty, is looked up one by one. A cluster that refuses one is looked up one by one for the job.
CAPILLARY_BULK_IDENTIFIERS = env.list("CAPILLARY_BULK_IDENTIFIERS", default=["mobile", "email", "externalId"])
# A bulk entry "worked out" is looked up as a card number (one call each) only when it matches this: by default letters
# with digits (TTM001110000000002ZS, visasushi006) or 13-19 digits. Set it to the org's card format
# (CONF_CARD_NUMBER_PREFIX/_LENGTH, api-notes §5); an agent who says the list is card numbers skips it.
BULK_CARD_PATTERN = env(
    "BULK_CARD_PATTERN",
    default=r"(?=[A-Za-z0-9\-]*[A-Za-z])(?=[A-Za-z0-9\-]*[0-9])[A-Za-z0-9\-]{6,50}|[0-9]{13,19}",
)
CAPILLARY_FAKE_DB = env("CAPILLARY_FAKE_DB", default=str(VAR_DIR / "fake-capillary.sqlite3"))
# The org's Capillary rate limits per API and minute, shared by the whole console (core/budget.py): "METHOD path"
# as the client names it, e.g. CAPILLARY_RATE_LIMITS="POST /v2/customers=100,GET /v2/customers/{id}=1000".
CAPILLARY_RATE_LIMITS = {
    key.strip(): int(value)
    for key, value in (
        item.rsplit("=", 1) for item in env.list("CAPILLARY_RATE_LIMITS", default=["POST /v2/customers=100"]) if item
    )
}
CAPILLARY_RATE_LIMIT_DEFAULT = env.int("CAPILLARY_RATE_LIMIT_DEFAULT", default=1000)
# The share of each limit bulk jobs leave to agents (0.2: bulk stops at 80 % of a minute's calls).
CAPILLARY_INTERACTIVE_RESERVE = env.float("CAPILLARY_INTERACTIVE_RESERVE", default=0.2)

if CAPILLARY_AUTH not in {"basic", "oauth"}:
    raise ImproperlyConfigured(f"CAPILLARY_AUTH must be 'basic' or 'oauth', not {CAPILLARY_AUTH!r}.")
if CAPILLARY_BASE_URL and not DEBUG:
    _needed = ["CAPILLARY_USERNAME", "CAPILLARY_PASSWORD"]
    if CAPILLARY_AUTH == "oauth":
        _needed = ["CAPILLARY_OAUTH_KEY", "CAPILLARY_OAUTH_SECRET"]
    _missing = [name for name in _needed if not globals()[name]]
    if _missing:
        raise ImproperlyConfigured(
            f"CAPILLARY_BASE_URL points at a live Capillary but {', '.join(_missing)} is not set "
            f"(CAPILLARY_AUTH={CAPILLARY_AUTH})."
        )

# Logging: one line per Capillary call from memberconsole.capillary; no customer name, mobile or email anywhere.
# httpx logs full URLs (with identifier values in query strings) at INFO, so it is held at WARNING.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact_query": {"()": "memberconsole.core.logging.RedactQueryStringFilter"},
        "escape_control": {"()": "memberconsole.core.logging.EscapeControlCharactersFilter"},
    },
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_query", "escape_control"],
        },
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        "axes": {"level": "WARNING"},
    },
}
