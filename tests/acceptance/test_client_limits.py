"""Client addresses that cannot be forged, and one rate-limit budget across instances (Redis)."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import redis

from tests.support.databases import postgres_problem, postgres_schema
from tests.support.processes import EXE, command
from tests.support.sinks import free_port, wait_for

pytestmark = pytest.mark.slow
REDIS_URL = "redis://127.0.0.1:6379/0"


def _unavailable(problem: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"CI must run this test: {problem}")
    pytest.skip(problem)


@pytest.fixture
def redis_url() -> str:
    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping()
    except redis.RedisError as exc:
        _unavailable(f"no Redis at {REDIS_URL}: {exc}")
    return REDIS_URL


@pytest.fixture
def postgres_url() -> Iterator[str]:
    problem = postgres_problem()
    if problem is not None:
        _unavailable(problem)
    with postgres_schema() as url:
        yield url


def configure(path: Path, database_url: str, *extra: str) -> int:
    port = free_port()
    lines = [f'database_url = "{database_url}"', f"http_port = {port}", 'report_rate_limit = "3/minute"']
    path.write_text("\n".join([*lines, *extra]) + "\n")
    return port


@contextmanager
def daemons(tmp_path: Path, configs: list[Path], ports: list[int]) -> Iterator[None]:
    logs = [(tmp_path / f"daemon-{n}.log").open("wb") for n in range(len(configs))]
    processes = [
        subprocess.Popen([str(EXE), "--config", str(c), "run"], stdout=log, stderr=log)
        for c, log in zip(configs, logs, strict=True)
    ]

    def healthy(port: int) -> bool:
        try:
            return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        assert wait_for(lambda: all(healthy(p) for p in ports), timeout_s=240), [
            (tmp_path / f"daemon-{n}.log").read_text() for n in range(len(configs))
        ]
        yield
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            process.wait(timeout=30)
        for log in logs:
            log.close()


def report(port: int, forwarded_for: str) -> int:
    return httpx.post(
        f"http://127.0.0.1:{port}/api/v1/actions/61.20/reports",
        json={"counts": {"letter": 1}},
        headers={"X-Forwarded-For": forwarded_for},
        timeout=10,
    ).status_code


def add_action(config: Path) -> None:
    deadline = (datetime.now(UTC) + timedelta(days=30)).isoformat()
    command(config, "actions", "add", "--ua", "61.20", "--title", "T", "--deadline", deadline)


def test_forwarded_headers_count_only_from_a_trusted_proxy(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'ua.db'}"
    trusting = tmp_path / "trusting.toml"
    port = configure(trusting, database, 'trusted_proxies = ["127.0.0.1"]')
    add_action(trusting)
    with daemons(tmp_path, [trusting], [port]):
        # From a trusted proxy the forwarded address is the client's: each is a client of its own...
        assert [report(port, f"198.51.100.{n}") for n in range(5)] == [201] * 5
        # ...and one client behind the proxy has its own budget.
        assert [report(port, "203.0.113.9") for _ in range(4)] == [201, 201, 201, 429]


def test_instances_sharing_redis_share_one_budget_and_ignore_forged_headers(
    tmp_path: Path, postgres_url: str, redis_url: str
) -> None:
    configs = [tmp_path / "a.toml", tmp_path / "b.toml"]
    ports = [configure(c, postgres_url, f'rate_limit_storage = "{redis_url}"') for c in configs]
    add_action(configs[0])
    with daemons(tmp_path, configs, ports):
        a, b = ports
        # No proxy is trusted: rotating X-Forwarded-For changes nothing, the peer is 127.0.0.1.
        assert [report(a, "198.51.100.1"), report(b, "198.51.100.2"), report(a, "198.51.100.3")] == [201] * 3
        assert report(b, "198.51.100.4") == 429  # the budget of 3 is shared, not doubled
        assert report(a, "198.51.100.5") == 429
    shown = command(configs[0], "tally", "61.20", "--format", "json")
    assert '"total": 3' in shown
