"""Settings for the budget test's subprocesses: the test settings plus the shared cache the test names."""

import ast
import os

from memberconsole.test_settings import *  # noqa: F403

CACHES = {**CACHES, "shared": ast.literal_eval(os.environ["SHARED_CACHE"])}  # noqa: F405
