"""8. CLI start: `ua-scheduler --help` and `actions list` against a bare click command."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

from tests.benchmarks.daemon import write_config
from tests.benchmarks.harness import EXE, PYTHON, ROOT, Outcome, Row, Verdict, median

TARGET_RATIO = 2.0
FIXED = ("sqlmodel", "pydantic_settings", "click")
"""What any command reading the database imports: the store (sqlmodel), the settings and the CLI."""


def _seconds(argv: Sequence[str]) -> float:
    """Wall time of one run of ``argv`` to its exit (which must be 0)."""
    start = time.perf_counter()
    done = subprocess.run(list(argv), cwd=ROOT, capture_output=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited with {done.returncode}: {done.stderr.decode()[-500:]}")
    return elapsed


def _median_of(argv: Sequence[str], repeats: int) -> float:
    _seconds(argv)  # warm the file cache once
    return median([_seconds(argv) for _ in range(repeats)])


def run(workdir: Path, quick: bool) -> Outcome:
    repeats = 5 if quick else 15
    outcome = Outcome(
        workload=(
            f"each command as a fresh subprocess, median of {repeats} runs after one warm-up; "
            "`actions list` on a SQLite database with one open action (schema current). "
            "Baseline: a bare click group (`tests/benchmarks/bare_cli.py`) with `--help` and a "
            "subcommand that prints one line, in the same Python"
        )
    )
    config, _port = write_config(workdir, workdir / "cli.db")
    base = [str(EXE), "--config", str(config)]
    _seconds([*base, "db", "upgrade"])
    _seconds([*base, "actions", "add", "--ua", "61.20", "--title", "T", "--deadline", "2030-06-03"])
    bare = [str(PYTHON), str(ROOT / "tests" / "benchmarks" / "bare_cli.py")]
    bare_help = _median_of([*bare, "--help"], repeats)
    bare_list = _median_of([*bare, "list"], repeats)
    python_only = _median_of([str(PYTHON), "-c", "pass"], repeats)
    floor = _median_of([str(PYTHON), "-c", f"import {', '.join(FIXED)}"], repeats)
    help_s = _median_of([*base, "--help"], repeats)
    list_s = _median_of([*base, "actions", "list"], repeats)
    outcome.rows += [
        Row("python -c pass", python_only, "s"),
        Row(f"import {', '.join(FIXED)}", floor, "s", bare_list, "bare click subcommand"),
        Row("ua-scheduler --help", help_s, "s", bare_help, "bare click --help"),
        Row("ua-scheduler actions list", list_s, "s", bare_list, "bare click subcommand"),
    ]
    outcome.notes.append(
        "a command that reads the database imports at least the fixed dependencies (the `import` row: "
        "sqlmodel brings SQLAlchemy and pydantic); that floor is shown against the same baseline"
    )
    help_ratio, list_ratio = help_s / bare_help, list_s / bare_list
    outcome.verdicts += [
        Verdict("cli_help", help_ratio, "x bare click", f"<={TARGET_RATIO:g}", help_ratio <= TARGET_RATIO),
        Verdict(
            "cli_actions_list", list_ratio, "x bare click", f"<={TARGET_RATIO:g}", list_ratio <= TARGET_RATIO
        ),
    ]
    return outcome
