"""Test settings: the same environment switches as base, kept apart from a running app.

The test database is a file (not in-memory) so a real Celery worker process can open it,
and tasks go to their own queue so a developer's running worker never takes them.
"""

import os

from .base import *  # noqa: F403
from .base import DATABASES, VAR_DIR

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# One queue and media folder per pytest-xdist process: a worker started by one never takes
# another's tasks, and one process's clean-up never removes another's uploads.
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")
CELERY_TASK_DEFAULT_QUEUE = f"tests-{XDIST_WORKER}"
MEDIA_ROOT = VAR_DIR / f"test-media-{XDIST_WORKER}"

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}

# Each test empties the cache; on Redis that would flush the Celery broker's database too.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
