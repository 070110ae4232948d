"""Several instances: on PostgreSQL one leads and the others take over; SQLite refuses a second."""

from __future__ import annotations

import json
import signal
import subprocess
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from actions.clock import ManualClock
from config.settings import Settings
from jobs.secrets import Redactor
from scheduler.service import open_service
from tests.factories import add_action
from tests.support.daemon import Daemon, at
from tests.support.databases import postgres_problem, postgres_schema
from tests.support.processes import EXE, command
from tests.support.sinks import WebhookSink, free_port

pytestmark = pytest.mark.slow
ACTIONS = 8
OFFSETS_S = (30, 20, 10)
"""Ten seconds apart: a takeover on a busy machine still comes before the next slot."""
DEADLINE_S = 40
TAKEOVER_BUDGET_S = 5.0


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
        'delivery_lease = "15s"',  # a claim outlives a send on a busy machine
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
    daemons = [Daemon(c, tmp_path / f"instance-{n}.log") for n, c in enumerate(configs)]
    try:
        for daemon in daemons:
            daemon.spawn()
        for daemon in daemons:
            daemon.started()
        # The actions come while the instances run: they pick them up within their poll interval.
        now = datetime.now(UTC)
        store = open_service(
            Settings(database_url=postgres_url, timezone="UTC", reminders=[f"{s}s" for s in OFFSETS_S]),
            clock=ManualClock(now),
            redactor=Redactor(),
        )
        deadline = now + timedelta(seconds=DEADLINE_S)
        for n in range(ACTIONS):
            add_action(store, ua=f"{200 + n}.26", title=f"Case {n}", deadline=deadline.isoformat())
        store.engine.dispose()
        leaders = [n for n, p in enumerate(ports) if (health(p) or {}).get("leader")]
        assert len(leaders) == 1, leaders
        leader = leaders[0]
        others = [n for n in range(3) if n != leader]

        # Kill the leader once every first reminder is sent and settled (on a busy machine the next
        # slot's messages may be in flight in it: those are the only ones that may come twice).
        def sent() -> int:
            return sum(len(d.events("delivery.sent")) for d in daemons)

        daemons[leader].wait(lambda: sent() >= ACTIONS, "the first reminders were not all sent")
        daemons[leader].process.send_signal(signal.SIGKILL)  # type: ignore[union-attr]
        daemons[leader].process.wait()  # type: ignore[union-attr]
        killed_at = datetime.now(UTC)

        def took_over() -> list[dict[str, object]]:
            return [r for n in others for r in daemons[n].events("daemon.leadership", leader=True)]

        daemons[others[0]].wait(lambda: bool(took_over()), "no instance took over")
        takeover_s = min((at(r) - killed_at).total_seconds() for r in took_over())
        # Every message is sent once nothing is left in the outbox: then nothing more can come.
        survivor = daemons[others[0]]
        survivor.wait(
            lambda: sum(1 for h in webhook.hooks if h.path == "/c") >= ACTIONS,
            "the final tallies did not all arrive",
        )
        survivor.wait(
            lambda: (
                {row["status"] for row in json.loads(command(configs[others[0]], "deliveries", "--json"))}
                == {"sent"}
            ),
            "the outbox did not empty",
        )
    finally:
        for daemon in daemons:
            if daemon.process is not None and daemon.process.poll() is None:
                daemon.stop()
        for daemon in daemons:
            daemon.kill()

    received = Counter(webhook.idempotency_keys())
    settled = Counter(str(r["key"]) for d in daemons for r in d.events("delivery.sent"))
    settled_by_leader = {str(r["key"]) for r in daemons[leader].events("delivery.sent")}
    assert takeover_s < TAKEOVER_BUDGET_S, f"took over {takeover_s:.2f} s after the kill"
    assert len(received) == ACTIONS * (len(OFFSETS_S) + 1)  # every reminder and every tally...
    twice = [
        (n, r["timestamp"], r["key"], r.get("attempts"))
        for n, d in enumerate(daemons)
        for r in d.events("delivery.sent")
        if settled[str(r["key"])] > 1
    ]
    assert set(settled.values()) == {1}, (
        f"leader {leader}, killed at {killed_at}: {twice}"
    )  # ...marked sent once
    assert sum(1 for k in received if "/final-tally/" in k) == ACTIONS
    # The only repeat possible: a message the killed leader was sending, sent again after its lease.
    repeated = {key: n for key, n in received.items() if n > 1}
    assert set(repeated.values()) <= {2}
    assert not set(repeated) & settled_by_leader


def test_a_second_instance_on_one_sqlite_file_is_refused(tmp_path: Path) -> None:
    first_config, second_config = tmp_path / "a.toml", tmp_path / "b.toml"
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    write_config(first_config, url)
    write_config(second_config, url)
    first = Daemon(first_config, tmp_path / "first.log")
    try:
        first.start()
        second = subprocess.run(
            [str(EXE), "--config", str(second_config), "run"],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert first.process is not None
        pid = first.process.pid
        assert first.stop() == 0
    finally:
        first.kill()
    assert second.returncode == 1
    assert "SQLite serves one instance" in second.stderr
    assert f"pid {pid}" in second.stderr
