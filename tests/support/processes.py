"""The real ``ua-scheduler`` command as a separate process, for the black-box tests."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

EXE = Path(sys.executable).parent / "ua-scheduler"


def command(config: Path, *args: str) -> str:
    """Run one command with ``config``; its stdout, or a failed assertion showing its stderr."""
    done = subprocess.run(
        [str(EXE), "--config", str(config), *args], capture_output=True, text=True, check=False, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout
