"""Running the ``ua-scheduler`` command in-process, as a script would: exit code, stdout, stderr."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from actions.clock import Clock
from scheduler.cli import main


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


Run = Callable[..., Result]


def runner(capsys: pytest.CaptureFixture[str], clock: Clock | None = None) -> Run:
    """With ``clock``, every run happens at its time (the hidden ``--now`` option)."""

    def invoke(*args: str) -> Result:
        capsys.readouterr()
        at = ["--now", clock.now().isoformat()] if clock is not None else []
        try:
            main([*at, *args])
        except SystemExit as exc:
            code = int(exc.code or 0)
        else:
            code = 0
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return invoke
