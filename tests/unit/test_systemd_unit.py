"""The systemd unit is sandboxed: `systemd-analyze security` rates it OK (2.5 or less)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

UNIT = Path(__file__).resolve().parents[2] / "config" / "ua-scheduler.service"
MOST_EXPOSURE = 2.5


def _settings() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in UNIT.read_text().splitlines():
        key, sep, value = line.partition("=")
        if sep and not line.startswith("#"):
            found.setdefault(key.strip(), []).append(value.strip())
    return found


def test_the_unit_keeps_the_state_directory_and_every_file_private() -> None:
    settings = _settings()
    assert settings["UMask"] == ["0077"]
    assert settings["StateDirectory"] == ["ua-scheduler"]
    assert settings["StateDirectoryMode"] == ["0700"]
    assert settings["ProtectSystem"] == ["strict"]


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_analyze_rates_the_unit_ok() -> None:
    done = subprocess.run(
        ["systemd-analyze", "security", "--offline=true", str(UNIT)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    found = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", done.stdout + done.stderr)
    assert found is not None, done.stdout + done.stderr
    exposure = float(found[1])
    assert exposure <= MOST_EXPOSURE, done.stdout
