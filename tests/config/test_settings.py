import os
import subprocess
import sys

from django.conf import settings

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "DJANGO_SECRET_KEY": "k3v9-Zq8!rT2@pL6#wX4$nB7%mC1^hF5&jD0*gS2(yU8)eR3-tA6+vQ1",
    "DJANGO_ALLOWED_HOSTS": "ops.example.cn",
    # Browser tests in this process allow it for themselves; a deployment never has it.
    "DJANGO_ALLOW_ASYNC_UNSAFE": None,
}


def manage(*args, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={key: value for key, value in {**os.environ, **env}.items() if value is not None},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deploy_check():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", env={**PRODUCTION_ENV, "DJANGO_SECRET_KEY": None})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_locale_and_time_zone():
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_TZ is True


def test_database_and_broker_follow_the_environment():
    from config.settings.base import database_from_environment

    saved = os.environ.get("DATABASE_URL")
    try:
        os.environ["DATABASE_URL"] = "postgres://ops:secret@db.internal:5433/campaigns"
        postgres = database_from_environment()
        os.environ["DATABASE_URL"] = "sqlite:////tmp/elsewhere.sqlite3"
        sqlite = database_from_environment()
    finally:
        if saved is None:
            os.environ.pop("DATABASE_URL")
        else:
            os.environ["DATABASE_URL"] = saved
    assert postgres["ENGINE"] == "django.db.backends.postgresql"
    assert (postgres["HOST"], postgres["PORT"], postgres["NAME"]) == (
        "db.internal",
        5433,
        "campaigns",
    )
    assert sqlite["NAME"] == "/tmp/elsewhere.sqlite3"
    assert "journal_mode=WAL" in sqlite["OPTIONS"]["init_command"]
    assert sqlite["OPTIONS"]["timeout"] == 20
