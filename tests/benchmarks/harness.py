"""What every benchmark shares: results, verdicts, percentiles, processes and their clean-up."""

from __future__ import annotations

import contextlib
import os
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = Path(sys.executable)
EXE = PYTHON.parent / "ua-scheduler"


@dataclass(frozen=True)
class Row:
    """One line of the table: a figure beside the baseline measured in the same run."""

    measure: str
    figure: float
    unit: str
    baseline: float | None = None
    baseline_label: str = ""


@dataclass(frozen=True)
class Verdict:
    """One ``BENCH`` line: a figure against its target (reported, never enforced)."""

    name: str
    figure: float
    unit: str
    target: str
    passed: bool

    def line(self) -> str:
        verdict = "PASS" if self.passed else "FAIL"
        return f"BENCH {self.name} {fmt(self.figure)} {self.unit} target {self.target} {verdict}"


@dataclass
class Outcome:
    workload: str
    rows: list[Row] = field(default_factory=list)
    verdicts: list[Verdict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Benchmark:
    name: str
    title: str
    run: Callable[[Path, bool], Outcome]
    """Called with a fresh temporary directory and ``quick``."""


def fmt(value: float) -> str:
    if value == 0 or abs(value) >= 100:
        return f"{value:.0f}"
    if abs(value) >= 1:
        return f"{value:.2f}"
    return f"{value:.3g}"


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (``pct`` in 0..100) of a non-empty sample."""
    if not values:
        raise ValueError("percentile of an empty sample")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(pct / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def wait_until(predicate: Callable[[], bool], timeout_s: float, step_s: float = 0.01) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step_s)
    return predicate()


class Processes:
    """Every child process a benchmark starts, stopped on the way out whatever happened."""

    def __init__(self) -> None:
        self._children: list[subprocess.Popen[bytes]] = []

    def start(
        self, argv: Sequence[str], *, log: Path, env: dict[str, str] | None = None
    ) -> subprocess.Popen[bytes]:
        with log.open("ab") as out:
            child = subprocess.Popen(
                list(argv),
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=ROOT,
                env={**os.environ, **(env or {})},
                start_new_session=True,  # a Ctrl-C in the terminal reaches us, and we stop it
            )
        self._children.append(child)
        return child

    def stop(self, child: subprocess.Popen[bytes], timeout_s: float = 15.0) -> int:
        if child.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                child.send_signal(signal.SIGTERM)
            try:
                child.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    child.kill()
                child.wait(timeout=5)
        if child in self._children:
            self._children.remove(child)
        return int(child.returncode)

    def stop_all(self) -> None:
        for child in list(reversed(self._children)):
            self.stop(child, timeout_s=5.0)


@contextlib.contextmanager
def processes() -> Iterator[Processes]:
    group = Processes()
    try:
        yield group
    finally:
        group.stop_all()


def vm_hwm_bytes(pid: int) -> int:
    """Peak resident set size of a live process (``VmHWM`` in /proc/<pid>/status)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmHWM for pid {pid}")
