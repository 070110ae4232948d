"""The daemon's warm-up (the PDF stack, after its first pass) runs no garbage collection, and leaves
what it loaded out of the collector's reach: a full collection walking it held the HTTP door ~90 ms."""

from __future__ import annotations

import json
import subprocess
import sys

PROGRAM = """
import gc, json
from scheduler import daemon

collections = []
gc.callbacks.append(lambda phase, info: phase == "start" and collections.append(info["generation"]))
daemon._warm_up()
during = list(collections)
print(json.dumps({"during": during, "frozen": gc.get_freeze_count(), "enabled": gc.isenabled()}))
"""


def test_the_warm_up_collects_nothing_and_freezes_what_it_loaded() -> None:
    done = subprocess.run([sys.executable, "-c", PROGRAM], capture_output=True, text=True, check=True)
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["during"] == []  # no collection, of any generation, while the stack loads
    assert seen["frozen"] > 10_000  # the web, apprise and PDF stacks: out of the collector's reach
    assert seen["enabled"] is True  # collection goes on for what is made afterwards
