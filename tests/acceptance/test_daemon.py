"""The real ``ua-scheduler run`` process, with offsets of seconds, real sinks and a restart."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.support.processes import EXE, command
from tests.support.sinks import SmtpSink, WebhookSink, free_port, wait_for

pytestmark = pytest.mark.slow


@pytest.fixture
def config(tmp_path: Path, database_url: str, webhook: WebhookSink, smtp: SmtpSink) -> Path:
    channels = tmp_path / "channels.yaml"
    channels.write_text(
        "urls:\n"
        f"  - {webhook.url('reminders')}:\n      tag: reminders\n"
        f'  - "{smtp.url()}":\n      tag: coordinators\n'
    )
    path = tmp_path / "ua-scheduler.toml"
    path.write_text(
        f'database_url = "{database_url}"\n'
        'channels_file = "channels.yaml"\n'
        'reminders = ["8s", "5s", "2s"]\n'
        'poll_interval = "1s"\n'
        'log_format = "json"\n'
        f"http_port = {free_port()}\n"
    )
    return path


class Daemon:
    def __init__(self, config: Path, log: Path) -> None:
        self.config = config
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> float:
        started = time.monotonic()
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [str(EXE), "--config", str(self.config), "run"],
                stdout=out,
                stderr=subprocess.STDOUT,
                env={**os.environ},
            )
        return started

    def stop(self) -> float:
        assert self.process is not None
        began = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        assert self.process.wait(timeout=10) == 0
        return time.monotonic() - began


@pytest.fixture
def daemon(config: Path, tmp_path: Path) -> Iterator[Daemon]:
    d = Daemon(config, tmp_path / "daemon.log")
    yield d
    if d.process is not None and d.process.poll() is None:
        d.process.kill()
        d.process.wait()


def test_every_message_arrives_exactly_once_across_a_restart(
    config: Path, daemon: Daemon, webhook: WebhookSink, smtp: SmtpSink
) -> None:
    deadline = datetime.now(UTC) + timedelta(seconds=12)
    command(
        config,
        "actions",
        "add",
        "--ua",
        "61.20",
        "--title",
        "Health at risk",
        "--deadline",
        deadline.isoformat(),
    )
    command(config, "reports", "add", "61.20", "--letters", "3", "--country", "NL")

    daemon.start()
    assert wait_for(lambda: len(webhook.hooks) >= 1, timeout_s=15)  # the 8s reminder
    assert daemon.stop() < 5
    daemon.start()
    assert wait_for(lambda: len(smtp.messages) >= 1, timeout_s=30), daemon.log.read_text()
    time.sleep(1.5)  # would anything come twice?
    daemon.stop()

    assert sorted(webhook.titles()) == [
        "UA 61.20: 2 seconds left to act: Health at risk",
        "UA 61.20: 5 seconds left to act: Health at risk",
        "UA 61.20: 8 seconds left to act: Health at risk",
    ]
    assert smtp.subjects() == ["UA 61.20 final tally: 3 actions"]
    status = command(config, "actions", "show", "61.20", "--json")
    assert '"status": "closed"' in status


def test_a_started_daemon_handles_what_is_due_within_two_seconds(
    config: Path, daemon: Daemon, webhook: WebhookSink, smtp: SmtpSink
) -> None:
    deadline = datetime.now(UTC) + timedelta(seconds=30)
    command(
        config,
        "actions",
        "add",
        "--ua",
        "61.20",
        "--title",
        "T",
        "--deadline",
        deadline.isoformat(),
        "--reminders",
        "40s,20s",
    )  # 40s is already due
    command(
        config,
        "actions",
        "add",
        "--ua",
        "62.20",
        "--title",
        "Past",
        "--deadline",
        (datetime.now(UTC) + timedelta(seconds=2)).isoformat(),
    )
    time.sleep(2.5)  # 62.20's deadline passes while no daemon runs

    started = daemon.start()
    assert wait_for(lambda: len(webhook.hooks) >= 1 and len(smtp.messages) >= 1, timeout_s=10)
    handled_after_s = time.monotonic() - started
    daemon.stop()
    assert handled_after_s < 2.0, f"took {handled_after_s:.2f}s"
    assert webhook.titles()[0].startswith("UA 61.20:")
    assert smtp.subjects() == ["UA 62.20 final tally: 0 actions"]


def test_an_action_added_while_running_is_picked_up(
    config: Path, daemon: Daemon, webhook: WebhookSink
) -> None:
    daemon.start()
    time.sleep(1.0)
    deadline = datetime.now(UTC) + timedelta(seconds=6)
    command(
        config,
        "actions",
        "add",
        "--ua",
        "70.20",
        "--title",
        "Added later",
        "--deadline",
        deadline.isoformat(),
        "--reminders",
        "3s",
    )
    assert wait_for(lambda: len(webhook.hooks) >= 1, timeout_s=10)
    arrived = datetime.now(UTC)
    daemon.stop()
    assert webhook.titles()[0].startswith("UA 70.20: ")
    assert arrived >= deadline - timedelta(seconds=3)  # not before it was due
