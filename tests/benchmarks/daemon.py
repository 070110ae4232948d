"""The real ``ua-scheduler run`` as a subprocess: its config, its start, readiness and its stop."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from subprocess import Popen
from typing import Any

import httpx

from tests.benchmarks.harness import EXE, Processes
from tests.support.sinks import free_port


def write_config(workdir: Path, database: Path, **settings: Any) -> tuple[Path, int]:
    """A TOML config for ``database`` with an HTTP port of its own; ``settings`` override."""
    port = free_port()
    values: dict[str, Any] = {
        "database_url": f"sqlite:///{database}",
        "http_port": port,
        "log_format": "json",
        "secret_key": "b" * 40,
        **settings,
    }
    lines = []
    for key, value in values.items():
        if isinstance(value, str):
            lines.append(f"{key} = {_quote(value)}")
        elif isinstance(value, list):
            lines.append(f"{key} = [{', '.join(_quote(str(v)) for v in value)}]")
        else:
            lines.append(f"{key} = {value}")
    config = workdir / f"ua-scheduler-{port}.toml"
    config.write_text("\n".join(lines) + "\n")
    return config, port


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_channels(workdir: Path, url: str, tag: str = "reminders") -> Path:
    path = workdir / "channels.yaml"
    path.write_text(f"urls:\n  - {url}:\n      tag: {tag}\n")
    return path


@dataclass
class Daemon:
    process: Popen[bytes]
    port: int
    started: float
    """``time.monotonic()`` just before the process was started."""
    log: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @classmethod
    def start(cls, group: Processes, config: Path, port: int, log: Path) -> Daemon:
        started = time.monotonic()
        process = group.start([str(EXE), "--config", str(config), "run"], log=log)
        return cls(process, port, started, log)

    def wait_ready(self, *, next_due: bool, timeout_s: float = 120.0, step_s: float = 0.005) -> float:
        """Poll ``/healthz`` until 200 (with ``next_due`` known if asked); the monotonic time then."""
        deadline = time.monotonic() + timeout_s
        with httpx.Client(timeout=5) as client:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError(f"the daemon exited with {self.process.returncode}: {self.tail()}")
                try:
                    answer = client.get(f"{self.base}/healthz")
                except httpx.HTTPError:
                    time.sleep(step_s)
                    continue
                if answer.status_code == 200 and (not next_due or answer.json().get("next_due")):
                    return time.monotonic()
                time.sleep(step_s)
        raise RuntimeError(f"the daemon was not ready within {timeout_s} s: {self.tail()}")

    def wait_warm(self, timeout_s: float = 120.0) -> None:
        """Wait for ``daemon.warmed_up``: the PDF stack it loads after its first pass, in a thread,
        would otherwise be measured as the first requests' latency."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.log.exists() and '"daemon.warmed_up"' in self.log.read_text(errors="replace"):
                return
            if self.process.poll() is not None:
                raise RuntimeError(f"the daemon exited with {self.process.returncode}: {self.tail()}")
            time.sleep(0.05)
        raise RuntimeError(f"the daemon did not warm up within {timeout_s} s: {self.tail()}")

    def tail(self, lines: int = 15) -> str:
        if not self.log.exists():
            return ""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
