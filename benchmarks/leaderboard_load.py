"""The region leaderboard under concurrent clients, served by gunicorn as in production.

Used by `nightly.py` once its synthetic chain and its snapshots exist: it starts gunicorn
on a loopback port with the production settings, logs a region lead in through the login
form, then has `clients` threads fetch the region's leaderboard page, a bounded number of
times and for a bounded time, and reports the latency percentiles.
"""

from __future__ import annotations

import http.client
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from import_pos import PROJECT_ROOT, BenchmarkRefused, manage, require_success, run_measured

HOST = "127.0.0.1"
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class LoadResult:
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def production_environment(env: dict[str, str]) -> dict[str, str]:
    return {
        **env,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "benchmark-only-" + "x" * 50,
        "DJANGO_ALLOWED_HOSTS": HOST,
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_HSTS_SECONDS": "0",
    }


class Gunicorn:
    """gunicorn serving the project on a free loopback port, stopped on exit."""

    def __init__(self, env: dict[str, str], workers: int):
        self.env, self.workers, self.port = production_environment(env), workers, free_port()

    def __enter__(self) -> Gunicorn:
        require_success(
            "collectstatic", run_measured(manage("collectstatic", "--noinput"), self.env)
        )
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.process = subprocess.Popen(  # noqa: S603
            [
                str(gunicorn),
                "config.wsgi:application",
                "--bind",
                f"{HOST}:{self.port}",
                "--workers",
                str(self.workers),
                "--log-level",
                "warning",
            ],
            cwd=PROJECT_ROOT,
            env=self.env,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection((HOST, self.port), timeout=1).close()
                return self
            except OSError:
                time.sleep(0.2)
        self.process.kill()
        raise BenchmarkRefused("gunicorn did not start listening within 30 s.")

    def __exit__(self, *_exc) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()


def _request(port: int, method: str, path: str, headers: dict, body: str | None = None):
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        connection.close()


def _cookies(headers) -> dict[str, str]:
    found = {}
    for name, value in headers:
        if name.lower() == "set-cookie":
            key, _, rest = value.partition("=")
            found[key] = rest.split(";", 1)[0]
    return found


def log_in(port: int, username: str, password: str) -> str:
    """The Cookie header of a session opened through the login form, as a browser does."""
    status, headers, page = _request(port, "GET", "/login/", {})
    cookies = _cookies(headers)
    token = CSRF_FIELD.search(page.decode())
    if status != 200 or token is None or "csrftoken" not in cookies:
        raise BenchmarkRefused(f"the login page answered {status} without a CSRF form.")
    form = urllib.parse.urlencode(
        {"username": username, "password": password, "csrfmiddlewaretoken": token.group(1)}
    )
    status, headers, _ = _request(
        port,
        "POST",
        "/login/",
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={cookies['csrftoken']}",
        },
        form,
    )
    session = _cookies(headers).get("sessionid")
    if status != 302 or not session:
        raise BenchmarkRefused(f"logging in as {username} failed (HTTP {status}).")
    return f"sessionid={session}; csrftoken={cookies['csrftoken']}"


def run_load(
    port: int, path: str, cookie: str, *, clients: int, requests: int, max_seconds: float
) -> LoadResult:
    """`clients` threads share `requests` page loads, stopping early after `max_seconds`."""
    remaining = iter(range(requests))
    lock = threading.Lock()
    latencies: list[float] = []
    errors = 0
    deadline = time.monotonic() + max_seconds

    def client() -> None:
        nonlocal errors
        while time.monotonic() < deadline:
            with lock:
                if next(remaining, None) is None:
                    return
            started = time.perf_counter()
            status, _, _ = _request(port, "GET", path, {"Cookie": cookie})
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                errors += status != 200

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return LoadResult(len(latencies), errors, time.perf_counter() - started, latencies)


def single_page_ms(port: int, path: str, cookie: str, repeats: int = 20) -> float:
    """Median time of one page load with no other client, the floor of the load figures."""
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        status, _, _ = _request(port, "GET", path, {"Cookie": cookie})
        if status != 200:
            raise BenchmarkRefused(f"the leaderboard answered HTTP {status}.")
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)
