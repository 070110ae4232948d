"""Imports refuse files over `import_max_bytes` and anything not a regular file, before reading."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.support.daemon import daemon_config
from tests.support.processes import EXE


def _import(config: Path, *files: Path) -> subprocess.CompletedProcess[str]:
    # The time-out fails the test rather than letting a file that never ends hang it.
    return subprocess.run(
        [str(EXE), "--config", str(config), "actions", "import", "--json", *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def _errors(done: subprocess.CompletedProcess[str]) -> list[str]:
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    return [entry.get("error", "") for entry in json.loads(done.stdout)["results"]]


def test_a_file_over_the_default_limit_is_refused_unread(tmp_path: Path) -> None:
    config = daemon_config(tmp_path, f"sqlite:///{tmp_path}/ua.db")
    big = tmp_path / "big.txt"
    with big.open("wb") as handle:
        handle.truncate(5_000_001)  # sparse: over 5 MB without writing them
    (error,) = _errors(_import(config, big))
    assert error == f"{big}: file: larger than import_max_bytes (5,000,000 bytes): refused"


def test_the_limit_is_a_setting(tmp_path: Path) -> None:
    config = daemon_config(tmp_path, f"sqlite:///{tmp_path}/ua.db", "import_max_bytes = 2048\n")
    document = tmp_path / "ua.toml"
    document.write_text('ua = "61.20"\ntitle = "T"\ndeadline = 2030-01-01\n# ' + "x" * 3000 + "\n")
    (error,) = _errors(_import(config, document))
    assert "larger than import_max_bytes (2,048 bytes)" in error


@pytest.mark.parametrize("kind", ["dev-zero-link", "fifo", "folder"])
def test_anything_but_a_regular_file_is_refused(tmp_path: Path, kind: str) -> None:
    config = daemon_config(tmp_path, f"sqlite:///{tmp_path}/ua.db")
    path = tmp_path / "ua-61.20.txt"
    if kind == "dev-zero-link":
        path.symlink_to("/dev/zero")
    elif kind == "fifo":
        os.mkfifo(path)
    else:
        path.mkdir()
    done = _import(config, path)
    if kind == "folder":  # the command's own argument check refuses a folder
        assert done.returncode == 2
        assert "is a directory" in done.stderr
        return
    (error,) = _errors(done)
    assert error == f"{path}: file: not a regular file (a device, a pipe or a folder): refused"
