"""Several instances: on PostgreSQL one leads and the others take over; SQLite refuses a second."""

from __future__ import annotations

import signal
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from tests.support.databases import postgres_problem, postgres_schema
from tests.support.processes import EXE, command
from tests.support.sinks import WebhookSink, free_port, wait_for

pytestmark = pytest.mark.slow
ACTIONS = 8
OFFSETS_S = (18, 12, 6)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    problem = postgres_problem()
    if problem is not None:
        if __import__("os").environ.get("CI"):
            pytest.fail(f"CI must run the PostgreSQL tests: {problem}")
        pytest.skip(problem)
    with postgres_schema() as url:
        yield url


def write_config(path: Path, database_url: str, channels: Path | None = None) -> int:
    port = free_port()
    lines = [
        f'database_url = "{database_url}"',
        f"http_port = {port}",
        'poll_interval = "1s"',
        'delivery_lease = "3s"',
        'log_format = "json"',
        "reminders = [" + ", ".join(f'"{s}s"' for s in OFFSETS_S) + "]",
    ]
    if channels is not None:
        lines.append(f'channels_file = "{channels}"')
    path.write_text("\n".join(lines) + "\n")
    return port


def health(port: int) -> dict[str, object] | None:
    try:
        response = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
    except httpx.HTTPError:
        return None
    body: dict[str, object] = response.json()
    return body


def test_three_instances_share_postgresql_and_survive_the_leaders_death(
    tmp_path: Path, postgres_url: str, webhook: WebhookSink
) -> None:
    channels = tmp_path / "channels.yaml"
    channels.write_text(
        f"urls:\n  - {webhook.url('r')}:\n      tag: reminders\n"
        f"  - {webhook.url('c')}:\n      tag: coordinators\n"
    )
    configs = [tmp_path / f"instance-{n}.toml" for n in range(3)]
    ports = [write_config(c, postgres_url, channels) for c in configs]
    logs = [(tmp_path / f"instance-{n}.log").open("wb") for n in range(3)]
    processes = [
        subprocess.Popen([str(EXE), "--config", str(c), "run"], stdout=log, stderr=log)
        for c, log in zip(configs, logs, strict=True)
    ]
    try:
        assert wait_for(lambda: all(health(p) for p in ports), timeout_s=20)
        # The actions come while the instances run: they pick them up within their poll interval.
        deadline = datetime.now(UTC) + timedelta(seconds=24)
        files = [tmp_path / f"case-{n}.toml" for n in range(ACTIONS)]
        for n, path in enumerate(files):
            path.write_text(f'ua = "{200 + n}.26"\ntitle = "Case {n}"\ndeadline = "{deadline.isoformat()}"\n')
        command(configs[0], "actions", "import", *map(str, files))
        leaders = [n for n, p in enumerate(ports) if (health(p) or {}).get("leader")]
        assert len(leaders) == 1, leaders
        leader = leaders[0]
        # The first reminder of every action has gone out; kill the leader between two slots.
        assert wait_for(lambda: len(webhook.hooks) >= ACTIONS, timeout_s=20)
        time.sleep(1)
        processes[leader].send_signal(signal.SIGKILL)
        processes[leader].wait()
        killed_at = time.monotonic()
        others = [n for n in range(3) if n != leader]
        assert wait_for(lambda: any((health(ports[n]) or {}).get("leader") for n in others), timeout_s=10)
        takeover_s = time.monotonic() - killed_at
        assert wait_for(lambda: sum(1 for h in webhook.hooks if h.path == "/c") >= ACTIONS, timeout_s=40)
        time.sleep(2)
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            process.wait(timeout=15)
        for log in logs:
            log.close()

    received = Counter(webhook.idempotency_keys())
    assert takeover_s < 5
    assert len(received) == ACTIONS * (len(OFFSETS_S) + 1)  # every reminder and every tally...
    assert set(received.values()) == {1}  # ...exactly once
    assert sum(1 for k in received if "/final-tally/" in k) == ACTIONS


def test_a_second_instance_on_one_sqlite_file_is_refused(tmp_path: Path) -> None:
    first_config, second_config = tmp_path / "a.toml", tmp_path / "b.toml"
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    first_port = write_config(first_config, url)
    write_config(second_config, url)
    first = subprocess.Popen(
        [str(EXE), "--config", str(first_config), "run"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert wait_for(lambda: health(first_port) is not None, timeout_s=15)
        second = subprocess.run(
            [str(EXE), "--config", str(second_config), "run"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    finally:
        first.send_signal(signal.SIGTERM)
        first.wait(timeout=15)
    assert second.returncode == 1
    assert "SQLite serves one instance" in second.stderr
    assert f"pid {first.pid}" in second.stderr
