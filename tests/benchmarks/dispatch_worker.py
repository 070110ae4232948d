"""One dispatching instance in a process of its own, started by a benchmark.

``python -m tests.benchmarks.dispatch_worker DATABASE_URL CHANNELS_FILE`` builds the service's
dispatcher, prints ``READY``, waits for a line on stdin, dispatches until nothing due is left, and
prints ``DONE <sent>``. Several of them on one PostgreSQL database are several instances.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import structlog

from config.settings import Settings
from scheduler.service import open_service


def main(database_url: str, channels_file: str) -> int:
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    service = open_service(Settings(database_url=database_url, channels_file=Path(channels_file)))
    dispatcher = service.dispatcher
    print("READY", flush=True)
    sys.stdin.readline()
    sent = 0
    while True:
        result = dispatcher.run(service.clock.now())
        sent += result.sent
        if not result.total():
            break
    dispatcher.close()
    service.engine.dispose()
    print(f"DONE {sent}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
