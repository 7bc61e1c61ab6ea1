"""Gunicorn settings for the production profile: `gunicorn -c gunicorn.conf.py memberconsole.wsgi`."""

import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = 60
# Seconds an idle kept-alive connection stays open. gunicorn's 2 s default closes it about when an agent's browser (or
# a proxy) sends its next request, and a request sent as the server closes the connection fails: 7 of 783 searches in
# the 100-agent load run (docs/benchmarks.md). Keep it above the idle timeout of any proxy in front.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "10"))
accesslog = "-"
# %(U)s is the path WITHOUT the query string: search terms (mobiles, emails, names) must never reach a log.
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'

# gunicorn's own error log quotes request URIs ("Error handling request /customers/search/?q=..."): the same filter
# as the console's handlers strips query strings from every gunicorn record.
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact_query": {"()": "memberconsole.core.logging.RedactQueryStringFilter"},
        "escape_control": {"()": "memberconsole.core.logging.EscapeControlCharactersFilter"},
    },
    "formatters": {"generic": {"format": "%(asctime)s [%(process)d] [%(levelname)s] %(message)s"}},
    "handlers": {
        "error_console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stderr",
            "formatter": "generic",
            "filters": ["redact_query", "escape_control"],
        },
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "filters": ["redact_query", "escape_control"],
        },
    },
    "loggers": {
        "gunicorn.error": {"handlers": ["error_console"], "level": "INFO", "propagate": False},
        "gunicorn.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
