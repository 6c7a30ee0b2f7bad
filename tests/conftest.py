import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection

from tests.factories import PASSWORD

ON_CI = bool(os.environ.get("CI"))
CHROMIUM = Path("/usr/bin/chromium")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    skip_postgres = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://…")
    skip_browser = pytest.mark.skip(reason="needs Debian's Chromium at /usr/bin/chromium")
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(skip_postgres)
        if "browser" in item.keywords and not CHROMIUM.exists() and not ON_CI:
            item.add_marker(skip_browser)
        if "celery_worker" in item.keywords or "browser" in item.keywords:
            # One xdist process runs them all, so no two start servers at once.
            item.add_marker(pytest.mark.xdist_group("live"))


@pytest.fixture
def login(client):
    def log_in(staff_or_user):
        user = getattr(staff_or_user, "user", staff_or_user)
        assert client.login(username=user.username, password=PASSWORD)
        return client

    return log_in


def _database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def celery_worker_process(transactional_db):
    """A real `celery worker` process on the configured broker (the filesystem broker, or
    Redis when REDIS_URL is set), reading and writing this test's database."""
    from config.celery import app

    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(settings.CELERY_TASK_DEFAULT_QUEUE)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": _database_url(),
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool",
            "solo",
            "--queues",
            settings.CELERY_TASK_DEFAULT_QUEUE,
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
            "--loglevel",
            "WARNING",
        ],
        env=env,
        cwd=settings.BASE_DIR,
    )
    yield worker
    worker.terminate()
    try:
        worker.wait(timeout=15)
    except subprocess.TimeoutExpired:
        worker.kill()


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache, so no page is served from another's data."""
    cache.clear()


@pytest.fixture(scope="session", autouse=True)
def clean_test_media():
    yield
    shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)
