"""The real daemon (``ua-scheduler run``) for black-box tests of what it answers, sends and logs.

Tests wait on what the daemon says (``daemon.started``, ``action.closed``, ``delivery.sent``) and on
what the sinks receive, with generous time-outs; readiness and budgets are read from the log lines'
own timestamps, never from when the process was spawned.
"""

from __future__ import annotations

import json
import signal
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from tests.support.processes import EXE
from tests.support.sinks import free_port, wait_for

START_TIMEOUT_S = 120.0
"""A start on a busy machine: imports, the schema check, the first health check."""
STOP_TIMEOUT_S = 60.0
EVENT_TIMEOUT_S = 120.0

Record = dict[str, Any]


def at(record: Record) -> datetime:
    """When the daemon logged ``record`` (its own UTC timestamp)."""
    return datetime.fromisoformat(record["timestamp"])


class Daemon:
    """One ``ua-scheduler run`` at a time on ``config``, logging JSON lines to ``log``.

    Restarts append to the same log; :meth:`events` reads the lines since the latest start.
    """

    def __init__(self, config: Path, log: Path) -> None:
        self.config = config
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None
        self._offset = 0

    def start(self) -> Record:
        """Start, and return the ``daemon.started`` record once it is logged."""
        self.spawn()
        return self.started()

    def spawn(self) -> None:
        """Start without waiting (several instances start side by side); then :meth:`started`."""
        self._offset = self.log.stat().st_size if self.log.exists() else 0
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [str(EXE), "--config", str(self.config), "run"], stdout=out, stderr=subprocess.STDOUT
            )

    def started(self) -> Record:
        return self.wait_event("daemon.started", timeout_s=START_TIMEOUT_S)

    def stop(self) -> int:
        """SIGTERM, and the exit code once it has stopped."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=STOP_TIMEOUT_S)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def events(self, name: str | None = None, **fields: Any) -> list[Record]:
        """The JSON records logged since the latest start, those named ``name`` with ``fields``."""
        with self.log.open("rb") as file:
            file.seek(self._offset)
            lines = file.read().decode(errors="replace").splitlines()
        found = []
        for line in lines:
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if not isinstance(record, dict):
                continue
            if name is not None and record.get("event") != name:
                continue
            if all(record.get(key) == value for key, value in fields.items()):
                found.append(record)
        return found

    def wait_event(self, name: str, *, timeout_s: float = EVENT_TIMEOUT_S, **fields: Any) -> Record:
        """The first ``name`` record with ``fields``, waiting for it; fails showing the log."""
        self.wait(lambda: bool(self.events(name, **fields)), f"no {name} {fields}", timeout_s=timeout_s)
        return self.events(name, **fields)[0]

    def wait(self, predicate: Callable[[], bool], what: str, *, timeout_s: float = EVENT_TIMEOUT_S) -> None:
        """Wait for ``predicate``; fail with ``what`` and the log if it never holds or the daemon died."""

        def holds_or_died() -> bool:
            return predicate() or (self.process is not None and self.process.poll() is not None)

        wait_for(holds_or_died, timeout_s=timeout_s, step_s=0.05)
        assert predicate(), f"{what}; daemon log:\n{self.log.read_text(errors='replace')[-6000:]}"


@dataclass
class Running:
    base: str
    log: Path

    def logs(self) -> str:
        return self.log.read_text()


def daemon_config(tmp_path: Path, database_url: str, extra: str = "") -> Path:
    """A config file for ``database_url`` with a free HTTP port and JSON logs."""
    config = tmp_path / "ua-scheduler.toml"
    config.write_text(
        f'database_url = "{database_url}"\nhttp_port = {free_port()}\nlog_format = "json"\n'
        f'poll_interval = "1s"\n{extra}'
    )
    return config


@contextmanager
def running_daemon(config: Path) -> Iterator[Running]:
    """``ua-scheduler run`` on ``config``, once ``/healthz`` answers; stopped with SIGTERM after."""
    port = next(
        line.split("=")[1].strip() for line in config.read_text().splitlines() if line.startswith("http_port")
    )
    log = config.parent / "daemon.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(EXE), "--config", str(config), "run"], stdout=out, stderr=subprocess.STDOUT
        )
    base = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        try:
            return httpx.get(f"{base}/healthz", timeout=2).status_code in (200, 503)
        except httpx.HTTPError:
            return process.poll() is not None  # it stopped: the assertion below shows why

    try:
        assert wait_for(answers, timeout_s=60), log.read_text()
        assert process.poll() is None, log.read_text()
        yield Running(base, log)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
