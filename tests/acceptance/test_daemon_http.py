"""The real daemon serves HTTP in its own loop: health, the report door and metrics, then stops."""

from __future__ import annotations

import signal
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from tests.support.processes import EXE, command
from tests.support.sinks import free_port, wait_for

pytestmark = pytest.mark.slow


def test_the_daemon_serves_health_reports_and_metrics(tmp_path: Path, database_url: str) -> None:
    port = free_port()
    config = tmp_path / "ua-scheduler.toml"
    config.write_text(
        f'database_url = "{database_url}"\nhttp_port = {port}\nlog_format = "json"\nreminders = ["1h"]\n'
    )
    deadline = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    command(config, "actions", "add", "--ua", "61.20", "--title", "T", "--deadline", deadline)
    log = (tmp_path / "daemon.log").open("wb")
    process = subprocess.Popen([str(EXE), "--config", str(config), "run"], stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:

        def healthy() -> bool:
            try:
                return httpx.get(f"{base}/healthz", timeout=1).status_code == 200
            except httpx.HTTPError:
                return False

        assert wait_for(healthy, timeout_s=15), (tmp_path / "daemon.log").read_text()
        health = httpx.get(f"{base}/healthz").json()
        assert health["scheduler"] == "running"
        assert health["next_due"] is not None

        posted = httpx.post(
            f"{base}/api/v1/actions/61.20/reports",
            json={"counts": {"letter": 2}, "country": "NL"},
            headers={"Idempotency-Key": "k-1"},
        )
        assert posted.status_code == 201, posted.text
        assert posted.json()["ua"] == "61.20"
        assert posted.json()["late"] is False
        metrics = httpx.get(f"{base}/metrics").text
        assert 'ua_scheduler_reports_received_total{source="api"} 1.0' in metrics
        assert "ua_scheduler_open_actions 1.0" in metrics
    finally:
        began = time.monotonic()
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=15)
        log.close()
    assert code == 0
    assert time.monotonic() - began < 6
