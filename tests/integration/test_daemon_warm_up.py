"""The daemon's warm-up (the PDF stack, after its first pass) runs no garbage collection, and leaves
what it loaded out of the collector's reach: a full collection walking it held the HTTP door ~90 ms."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

PROGRAM = """
import gc, json
from scheduler import daemon

collections = []
gc.callbacks.append(lambda phase, info: phase == "start" and collections.append(info["generation"]))
daemon._warm_up()
during = list(collections)
print("SEEN", json.dumps({"during": during, "frozen": gc.get_freeze_count(), "enabled": gc.isenabled()}))
"""


def test_the_warm_up_collects_nothing_and_freezes_what_it_loaded() -> None:
    done = subprocess.run([sys.executable, "-c", PROGRAM], capture_output=True, text=True, check=True)
    seen = _seen(done.stdout)
    assert seen["during"] == []  # no collection, of any generation, while the stack loads
    assert seen["frozen"] > 10_000  # the web, apprise and PDF stacks: out of the collector's reach
    assert seen["enabled"] is True  # collection goes on for what is made afterwards


START = """
import asyncio, gc, json, sys
from config.settings import Settings
from scheduler.daemon import Daemon
from scheduler.service import open_service

async def main():
    service = open_service(Settings(database_url=sys.argv[1], poll_interval="1h"))
    daemon = Daemon(service, http=False)
    stop = asyncio.Event()
    before = gc.get_freeze_count()
    running = asyncio.create_task(daemon.run(stop))
    async with asyncio.timeout(60):
        while not daemon.running:
            await asyncio.sleep(0.01)
    frozen = gc.get_freeze_count()
    stop.set()
    await running
    print("SEEN", json.dumps({"before": before, "frozen": frozen}))

asyncio.run(main())
"""


def test_what_the_start_loaded_is_frozen_before_the_first_pass(tmp_path: Path) -> None:
    """A catch-up after downtime is one long first pass: its full collections must not walk the
    start's objects (they held /healthz for ~100 ms)."""
    command = [sys.executable, "-c", START, f"sqlite:///{tmp_path / 'start.db'}"]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    seen = _seen(done.stdout)
    assert seen["before"] == 0
    assert seen["frozen"] > 10_000


def _seen(stdout: str) -> dict[str, Any]:
    """The program's one result line among whatever the daemon logged to stdout."""
    (line,) = [line for line in stdout.splitlines() if line.startswith("SEEN ")]
    found: dict[str, Any] = json.loads(line.removeprefix("SEEN "))
    return found
