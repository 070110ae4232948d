"""``run --demo``: a real action due in minutes and a ``log://`` channel that writes to the log."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from structlog.testing import capture_logs

from actions import store
from actions.clock import ManualClock
from jobs.due import run_pass
from scheduler.demo import DEMO_CHANNEL, seed_demo
from scheduler.service import Service


def test_the_demo_runs_its_whole_lifecycle_into_the_log(
    make_service: Callable[..., Service], clock: ManualClock
) -> None:
    service = make_service()
    first = seed_demo(service)
    second = seed_demo(service)
    assert (first, second) == ("901.26", "902.26")

    with service.session() as session:
        action = store.get_action(session, first)
        assert action.deadline == clock.now() + timedelta(minutes=3)
        assert len(store.targets_of(session, action)) == 2
        offsets = [s.offset_s for s in store.slots_of(session, action)]
        assert offsets == [120, 60, 30]
        assert [c.name for c in service.channels(session)] == [DEMO_CHANNEL]

    with capture_logs() as logs:
        clock.advance(timedelta(minutes=1))
        assert sorted(run_pass(service.work(), clock.now()).reminded) == [first, second]
        clock.advance(timedelta(minutes=2))
        assert sorted(run_pass(service.work(), clock.now()).tallies_delivered) == [first, second]
    messages = {e["title"]: e["body"] for e in logs if e["event"] == "channel.log_message"}
    assert len(messages) == 4  # sent side by side: in no particular order
    reminder = next(t for t in messages if t.startswith(f"UA {first}: 2 minutes left to act"))
    assert "Dear Ambassador" in messages[reminder]
    assert f"UA {second} final tally: 0 actions" in messages
