"""``python -m tests.benchmarks [--quick] [--only NAME ...] [--output FILE]``.

Prints one table (each figure beside a baseline measured in the same run) and ends with one
``BENCH <name> <figure> <unit> target <target> PASS|FAIL`` line per target. Targets are reported,
not enforced: the exit status is 0 unless a benchmark crashed.
"""

from __future__ import annotations

import argparse
import signal
import sys
import tempfile
import time
import traceback
from pathlib import Path
from types import FrameType

from tests.benchmarks import (
    bench_cli,
    bench_email,
    bench_fanout,
    bench_ingest,
    bench_instances,
    bench_lateness,
    bench_pages,
    bench_restart,
    bench_spread,
    bench_startup,
    bench_tally,
)
from tests.benchmarks.harness import Benchmark, Outcome, Verdict, fmt

BENCHMARKS = (
    Benchmark("startup", "1. Planning scale: start to ready", bench_startup.run),
    Benchmark("lateness", "2. Timer lateness", bench_lateness.run),
    Benchmark("ingest", "3. Report ingestion over HTTP", bench_ingest.run),
    Benchmark("tally", "4. Tally", bench_tally.run),
    Benchmark("restart", "5. Restart with overdue reminders", bench_restart.run),
    Benchmark("fanout", "6. Fan-out through the dispatcher", bench_fanout.run),
    Benchmark("pages", "7. Pages with a million reports stored", bench_pages.run),
    Benchmark("cli", "8. CLI start", bench_cli.run),
    Benchmark("spread", "9. Timer lateness, reminders spread over a minute", bench_spread.run),
    Benchmark("email", "10. Email fan-out to a local SMTP server", bench_email.run),
    Benchmark("instances", "11. Fan-out on PostgreSQL with one and two instances", bench_instances.run),
)


def _table(results: list[tuple[Benchmark, Outcome, float]]) -> list[str]:
    header = ("measure", "figure", "unit", "baseline", "ratio")
    lines: list[str] = []
    for bench, outcome, seconds in results:
        lines += ["", f"## {bench.title} ({bench.name}, {seconds:.0f} s)", f"workload: {outcome.workload}"]
        lines += [f"note: {note}" for note in outcome.notes]
        cells = [header]
        for row in outcome.rows:
            baseline = "" if row.baseline is None else f"{fmt(row.baseline)} ({row.baseline_label})"
            ratio = "" if not row.baseline else f"{row.figure / row.baseline:.2f}"
            cells.append((row.measure, fmt(row.figure), row.unit, baseline, ratio))
        widths = [max(len(c[i]) for c in cells) for i in range(len(header))]
        for n, cell in enumerate(cells):
            lines.append("  ".join(c.ljust(w) for c, w in zip(cell, widths, strict=True)).rstrip())
            if n == 0:
                lines.append("  ".join("-" * w for w in widths))
    return lines


def _show_logs(workdir: Path, lines: int = 20) -> None:
    """After a crash: the end of every log the benchmark's processes wrote."""
    for log in sorted(workdir.glob("*.log")):
        tail = log.read_text(errors="replace").splitlines()[-lines:]
        print(f"--- {log.name} (last {len(tail)} lines)", *tail, sep="\n", file=sys.stderr)


def _terminate(signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")  # unwinds through every clean-up


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the small form CI runs (~3 minutes)")
    parser.add_argument(
        "--only", action="append", choices=[b.name for b in BENCHMARKS], help="run only these"
    )
    parser.add_argument("--output", type=Path, help="also write the report to this file")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    chosen = [b for b in BENCHMARKS if not args.only or b.name in args.only]
    results: list[tuple[Benchmark, Outcome, float]] = []
    verdicts: list[Verdict] = []
    crashed: list[str] = []
    began = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="ua-bench-") as tmp:
        for bench in chosen:
            workdir = Path(tmp) / bench.name
            workdir.mkdir()
            print(
                f"running {bench.name} ({'quick' if args.quick else 'full'}) ...", file=sys.stderr, flush=True
            )
            start = time.monotonic()
            try:
                outcome = bench.run(workdir, args.quick)
            except KeyboardInterrupt:
                raise
            except Exception:
                traceback.print_exc()
                _show_logs(workdir)
                crashed.append(bench.name)
                continue
            elapsed = time.monotonic() - start
            results.append((bench, outcome, elapsed))
            verdicts += outcome.verdicts
            for verdict in outcome.verdicts:
                print(f"  {verdict.line()}", file=sys.stderr, flush=True)
    mode = "quick" if args.quick else "full"
    lines = [f"# ua-scheduler benchmarks ({mode}, {time.monotonic() - began:.0f} s)", *_table(results), ""]
    lines += [v.line() for v in verdicts]
    lines += [f"BENCH {name} crashed" for name in crashed]
    report = "\n".join(lines) + "\n"
    print(report, end="")
    if args.output is not None:
        args.output.write_text(report)
    return 1 if crashed else 0


if __name__ == "__main__":
    sys.exit(main())
