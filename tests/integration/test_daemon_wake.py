"""The daemon's wake-up: a wake that arms the next one for an instant already past still runs it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from scheduler.daemon import Daemon
from scheduler.service import Service


class Rearming(Daemon):
    """A daemon whose first wake arms the next one for now, before returning, as a pass that ends
    with the next reminder already due does."""

    def __init__(self, service: Service) -> None:
        super().__init__(service, http=False)
        self.wakes = 0
        self.second = asyncio.Event()

    async def _wake(self) -> None:
        self.wakes += 1
        if self.wakes == 1:
            self._arm(self.service.clock.now())
        else:
            self.second.set()


def test_a_wake_armed_by_the_running_one_for_an_instant_already_due_runs(
    make_service: Callable[..., Service],
) -> None:
    """With one instance allowed, APScheduler skipped it ("maximum number of running instances"),
    and the daemon slept until its next watch: reminders due milliseconds apart came a second late."""

    async def scenario() -> int:
        daemon = Rearming(make_service(poll_interval="1h"))  # no watch comes to the rescue
        stop = asyncio.Event()
        running = asyncio.create_task(daemon.run(stop))
        try:
            await asyncio.wait_for(daemon.second.wait(), timeout=30)
        finally:
            stop.set()
            await running
        return daemon.wakes

    assert asyncio.run(scenario()) == 2
