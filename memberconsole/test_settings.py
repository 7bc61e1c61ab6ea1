"""Settings for the test suite: the production settings with test-only secrets, a throwaway fake DB and fast hashing."""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production")
os.environ.setdefault("HTTPS", "False")
os.environ["CAPILLARY_BASE_URL"] = ""
os.environ.setdefault("CAPILLARY_FAKE_DB", os.path.join(tempfile.mkdtemp(prefix="mc-fake-"), "fake.sqlite3"))

from memberconsole.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
STATIC_ROOT.mkdir(exist_ok=True)  # noqa: F405
# Tasks run as they are enqueued, inside the request, so tests are deterministic; the worker tests
# (tests/bulk/test_worker.py) run real db_worker processes on the database backend.
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
# A file, not SQLite's shared in-memory database: the browser tests' live server answers the customer page's activity
# parts in parallel threads, and an in-memory database refuses a second writer outright ("database table is locked")
# where a file waits for the lock, as the embedded default does.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": os.path.join(tempfile.mkdtemp(prefix="mc-db-"), "test.sqlite3")}  # noqa: F405
