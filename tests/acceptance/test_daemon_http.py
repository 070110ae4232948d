"""The real daemon serves HTTP in its own loop: health, the report door and metrics, then stops."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from tests.support.daemon import Daemon
from tests.support.processes import command
from tests.support.sinks import free_port

pytestmark = pytest.mark.slow


def test_the_daemon_serves_health_reports_and_metrics(tmp_path: Path, database_url: str) -> None:
    port = free_port()
    config = tmp_path / "ua-scheduler.toml"
    config.write_text(
        f'database_url = "{database_url}"\nhttp_port = {port}\nlog_format = "json"\nreminders = ["1h"]\n'
    )
    deadline = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    command(config, "actions", "add", "--ua", "61.20", "--title", "T", "--deadline", deadline)
    daemon = Daemon(config, tmp_path / "daemon.log")
    base = f"http://127.0.0.1:{port}"
    try:
        daemon.start()

        def healthy() -> bool:
            try:
                return httpx.get(f"{base}/healthz", timeout=5).status_code == 200
            except httpx.HTTPError:
                return False

        daemon.wait(healthy, "/healthz never answered 200")
        health = httpx.get(f"{base}/healthz", timeout=30).json()
        assert health["scheduler"] == "running"
        assert health["next_due"] is not None

        posted = httpx.post(
            f"{base}/api/v1/actions/61.20/reports",
            json={"counts": {"letter": 2}, "country": "NL"},
            headers={"Idempotency-Key": "k-1"},
            timeout=30,
        )
        assert posted.status_code == 201, posted.text
        assert posted.json()["ua"] == "61.20"
        assert posted.json()["late"] is False
        metrics = httpx.get(f"{base}/metrics", timeout=30).text
        assert 'ua_scheduler_reports_received_total{source="api"} 1.0' in metrics
        assert "ua_scheduler_open_actions 1.0" in metrics
        assert daemon.stop() == 0
        assert daemon.events("daemon.stopped")
    finally:
        daemon.kill()
