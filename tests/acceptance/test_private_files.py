"""Files the service writes are private whatever the umask; a file it cannot write is one line."""

from __future__ import annotations

import signal
import stat
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.support.processes import EXE
from tests.support.sinks import wait_for

USUAL_UMASK = 0o022


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _ua(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(EXE), "--config", str(config), *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
        umask=USUAL_UMASK,
    )


@pytest.fixture
def state(tmp_path: Path) -> Path:
    return tmp_path / "state"


@pytest.fixture
def config(tmp_path: Path, state: Path) -> Path:
    path = tmp_path / "ua-scheduler.toml"
    path.write_text(
        f'database_url = "sqlite:///{state}/ua-scheduler.db"\nlog_format = "json"\npoll_interval = "1s"\n'
    )
    deadline = (datetime.now(UTC) + timedelta(days=3)).date().isoformat()
    done = _ua(path, "actions", "add", "--ua", "61.20", "--title", "T", "--deadline", deadline)
    assert done.returncode == 0, done.stderr
    return path


@pytest.fixture
def daemon(config: Path, tmp_path: Path) -> Iterator[Path]:
    log = tmp_path / "daemon.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(EXE), "--config", str(config), "run", "--no-http"],
            stdout=out,
            stderr=subprocess.STDOUT,
            umask=USUAL_UMASK,
        )
    try:
        assert wait_for(lambda: "daemon.started" in log.read_text(), timeout_s=30), log.read_text()
        yield log
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)


def test_database_wal_shm_lock_and_folder_are_private_under_the_usual_umask(
    state: Path, daemon: Path
) -> None:
    database = state / "ua-scheduler.db"
    written = [database, state / "ua-scheduler.db-wal", state / "ua-scheduler.db-shm"]
    written.append(state / "ua-scheduler.db.lock")
    for path in written:
        assert path.exists(), f"{path.name} missing while the daemon runs"
        assert _mode(path) == 0o600, f"{path.name} is {oct(_mode(path))}"
    assert _mode(state) == 0o700


@pytest.mark.parametrize("fmt", ["csv", "json", "md"])
def test_tally_output_files_are_private_even_when_they_existed(
    config: Path, tmp_path: Path, fmt: str
) -> None:
    output = tmp_path / f"tally.{fmt}"
    output.write_text("old")
    output.chmod(0o644)
    done = _ua(config, "tally", "61.20", "--format", fmt, "--output", str(output))
    assert done.returncode == 0, done.stderr
    assert _mode(output) == 0o600
    assert output.read_text() != "old"


def test_run_warns_at_start_when_the_database_is_readable_by_others(config: Path, state: Path) -> None:
    database = state / "ua-scheduler.db"
    quiet = _ua(config, "run", "--drain", "--no-http")
    assert quiet.returncode == 0, quiet.stderr
    assert "database.readable_by_others" not in quiet.stderr

    database.chmod(0o644)
    warned = _ua(config, "run", "--drain", "--no-http")
    assert warned.returncode == 0, warned.stderr
    assert "database.readable_by_others" in warned.stderr
    assert f"chmod 600 {database}" in warned.stderr


@pytest.mark.parametrize(
    ("output", "says"),
    [
        ("no/such/dir/x.csv", "no/such/dir/x.csv: cannot write: no such folder"),
        ("config-file/x.csv", "config-file/x.csv: cannot write"),
    ],
)
def test_an_output_that_cannot_be_written_is_one_line_not_a_traceback(
    config: Path, tmp_path: Path, output: str, says: str
) -> None:
    (tmp_path / "config-file").write_text("a file, not a folder")
    done = subprocess.run(
        [str(EXE), "--config", str(config), "tally", "61.20", "--format", "csv", "--output", output],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
        cwd=tmp_path,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("ua-scheduler: error: output: ")
    assert says in lines[0]
    assert not (tmp_path / output).exists()
