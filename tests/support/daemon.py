"""The real daemon (``ua-scheduler run``) serving HTTP, for black-box tests of what it answers and logs."""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.support.processes import EXE
from tests.support.sinks import free_port, wait_for


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
