"""The long-running service: APScheduler is the alarm clock; the database says what is due.

Policy, stated once:
- APScheduler runs in UTC (never the host's zone) with ``misfire_grace_time=None`` and
  ``coalesce=True``: a wake-up that fires late still runs, once. Its defaults would drop a job that
  starts more than a second late.
- On each wake-up the service reads the clock once and does everything due at that instant
  (``jobs.due.run_pass``); the database, not the scheduler, is the record of what is due.
- A watch job re-reads the next due time every ``poll_interval``, so actions added or changed by
  another process (the CLI) are picked up within a few seconds.
- After downtime a missed close happens at once; of an action's missed reminders only the latest one
  still before the deadline is sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import signal
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import structlog
import uvicorn
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from jobs.due import PassResult, next_due, recover_in_flight, run_pass
from jobs.report import warm_up
from scheduler import leadership
from scheduler.http.app import create_app
from scheduler.http.health import HealthCheck, check_health
from scheduler.http.metrics import Metrics
from scheduler.service import Service

log = structlog.get_logger("ua_scheduler.daemon")

WAKE_JOB = "wake"
HEALTH_JOB = "health"
WATCH_JOB = "watch"
STOP_TIMEOUT_S = 5.0
STALE_RETRY = timedelta(seconds=1)
SWITCH_INTERVAL_S = 0.001


class Daemon:
    def __init__(self, service: Service, *, metrics: Metrics | None = None, http: bool = True) -> None:
        self.service = service
        self.metrics = metrics or Metrics()
        self.http = http
        service.on_sent = self.metrics.sent
        self._pass_lock = asyncio.Lock()
        self._stopping = False
        self._scheduler: AsyncIOScheduler | None = None
        self._wake_at: datetime | None = None
        self.passes = 0
        self.leading = False
        self.leadership: leadership.Leadership = leadership.NotLeading()
        self._last_check: HealthCheck | None = None
        self._warm_up: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        return self._scheduler is not None and self._scheduler.running

    @property
    def next_wake(self) -> datetime | None:
        return self._wake_at

    @property
    def last_check(self) -> HealthCheck | None:
        return self._last_check

    async def _check_health(self) -> None:
        """Check the database and the next due time off the event loop, for ``/healthz`` to show.

        The HTTP door answers from this, so a health probe never waits for the database, even
        while a long catch-up keeps it busy.
        """
        self._last_check = await asyncio.to_thread(
            check_health, self.service.engine, self.service.clock.now(), self.service.settings.delivery_lease
        )

    async def run(self, stop: asyncio.Event) -> None:
        """Serve until ``stop`` is set; the first pass starts at once."""
        self.leadership = leadership.for_engine(self.service.engine)  # SQLite: refuses a second run
        recovered = 0
        if self.service.engine.dialect.name == "sqlite":
            recovered = await asyncio.to_thread(recover_in_flight, self.service.engine)
        self.leading = await asyncio.to_thread(self.leadership.try_lead)
        scheduler = AsyncIOScheduler(
            timezone=UTC,
            job_defaults={"misfire_grace_time": None, "coalesce": True, "max_instances": 1},
        )
        self._scheduler = scheduler
        interval_s = self.service.settings.poll_interval.total_seconds()
        scheduler.add_job(self._watch, "interval", seconds=interval_s, id=WATCH_JOB)
        scheduler.add_job(self._check_health, "interval", seconds=interval_s, id=HEALTH_JOB)
        await self._check_health()
        # What the start loaded lives as long as the process: out of the collector's reach, so that a
        # full collection during a long first pass (a catch-up) walks only what the pass made.
        gc.freeze()
        scheduler.start()
        self._arm(self.service.clock.now())
        server = self._http_server()
        serving = asyncio.create_task(server.serve()) if server is not None else None
        log.info(
            "daemon.started",
            owner=self.service.owner,
            leader=self.leading,
            recovered=recovered,
            poll_interval_s=interval_s,
            http=f"{self.service.settings.http_host}:{self.service.settings.http_port}" if server else None,
        )
        try:
            await stop.wait()
        finally:
            self._stopping = True
            if server is not None and serving is not None:
                server.should_exit = True
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(serving, STOP_TIMEOUT_S)
            # The pass in progress ends first: its sends in flight end and are written, and it claims
            # nothing more. Only then does the scheduler stop: its shutdown cancels a running wake,
            # which would free the pass lock while the pass's thread went on sending.
            self.service.dispatcher.stop_claiming()
            passes_ended = False
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(STOP_TIMEOUT_S):
                    await self._pass_lock.acquire()
                    passes_ended = True
            scheduler.shutdown(wait=False)
            await asyncio.to_thread(self.leadership.release)
            if passes_ended:
                await asyncio.to_thread(self.service.close)
            log.info("daemon.stopped", passes=self.passes, pass_ended=passes_ended)

    def _http_server(self) -> uvicorn.Server | None:
        if not self.http:
            return None
        app = create_app(self.service, metrics=self.metrics, scheduler=self)
        config = uvicorn.Config(
            app,
            host=self.service.settings.http_host,
            port=self.service.settings.http_port,
            log_config=None,  # uvicorn's loggers go through our structlog pipeline
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=int(STOP_TIMEOUT_S),
            # Forwarded headers only from the proxies named in the settings (uvicorn would otherwise
            # believe any loopback client); without any, the client address is the TCP peer's.
            proxy_headers=bool(self.service.settings.trusted_proxies),
            forwarded_allow_ips=list(self.service.settings.trusted_proxies) or "",
        )
        return _Server(config)

    def _arm(self, at: datetime) -> None:
        """Set the wake-up to ``at`` (now if past), replacing any other."""
        assert self._scheduler is not None
        if not self._scheduler.running:
            return
        self._wake_at = at
        # A wake arms the next one before it returns: with one instance allowed, APScheduler would
        # skip a next wake due before this one has returned, and the daemon would sleep until its
        # next watch. The second instance waits for the pass lock instead.
        self._scheduler.add_job(
            self._wake, "date", run_date=at, id=WAKE_JOB, replace_existing=True, max_instances=2
        )

    async def _wake(self) -> None:
        async with self._pass_lock:
            if self._stopping:
                return
            if self._wake_at is not None:
                late_s = (self.service.clock.now() - self._wake_at).total_seconds()
                self.metrics.lateness.observe(max(0.0, late_s))
            self._wake_at = None
            while True:
                now = self.service.clock.now()
                result: PassResult = await asyncio.to_thread(
                    run_pass, self.service.work(), now, plan=self.leading
                )
                self.passes += 1
                if not result.did_something() or self._stopping:
                    break
            if self._warm_up is None:
                # Off the start path: the PDF stack loads once the first pass is done, so a later
                # close does not wait for it and a restart handles what is due at once.
                self._warm_up = asyncio.create_task(asyncio.to_thread(_warm_up))
            upcoming = await self._next_due(now)
        if upcoming is not None:
            # The last pass found nothing to do at ``now``; a due time not after it is stale.
            at = upcoming if upcoming > now else self.service.clock.now() + STALE_RETRY
            self._arm(max(at, self.service.clock.now()))
            log.debug("daemon.next_wake", at=at.isoformat())

    async def _next_due(self, now: datetime) -> datetime | None:
        """The next instant something is due, from the database (off the event loop)."""
        settings = self.service.settings
        return await asyncio.to_thread(
            next_due,
            self.service.engine,
            now,
            lease=settings.delivery_lease,
            ahead=settings.prepare_ahead,
            work=self.service.work(),
        )

    async def _watch(self) -> None:
        """Pick up changes made by other processes: wake earlier if something new is due sooner.

        An instance that does not lead tries to take the lead here, so one takes over within a
        ``poll_interval`` of the leader's death.
        """
        if self._pass_lock.locked():
            return
        leading = await asyncio.to_thread(self.leadership.try_lead)
        if leading != self.leading:
            log.info("daemon.leadership", leader=leading)
            self.leading = leading
            if leading:
                self._arm(self.service.clock.now())
                return
        now = self.service.clock.now()
        upcoming = await self._next_due(now)
        if upcoming is not None and (self._wake_at is None or upcoming < self._wake_at):
            self._arm(max(upcoming, now))


class _Server(uvicorn.Server):
    """uvicorn inside our loop: the daemon owns SIGTERM and SIGINT, not uvicorn."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def drain(service: Service) -> PassResult:
    """Do everything due now and return; for cron, tests and catching up by hand.

    It takes the same lock as ``run``: on SQLite it refuses while a daemon runs; on PostgreSQL it
    plans only if no daemon leads, and dispatches either way.
    """
    lock = leadership.for_engine(service.engine)
    try:
        if service.engine.dialect.name == "sqlite":
            recover_in_flight(service.engine)
        plan = lock.try_lead()
        total = PassResult()
        while True:
            result = run_pass(service.work(), service.clock.now(), plan=plan)
            total.add(result)
            if not result.did_something():
                return total
    finally:
        lock.release()


def serve(service: Service, *, http: bool = True) -> None:
    """Run the daemon until SIGTERM or SIGINT."""

    # The event loop (HTTP, timers) shares the interpreter with the sending threads: a shorter switch
    # interval hands it the lock sooner, so catching up never freezes the HTTP door.
    sys.setswitchinterval(SWITCH_INTERVAL_S)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, _on_signal, stop, signum)
        loop.add_signal_handler(signal.SIGHUP, _on_reload, service)
        await Daemon(service, http=http).run(stop)

    asyncio.run(main())


def _on_reload(service: Service) -> None:
    log.info("daemon.reload", what="channels_file")
    service.reload_channels()


def _on_signal(stop: asyncio.Event, signum: int) -> None:
    log.info("daemon.stopping", signal=signal.Signals(signum).name)
    stop.set()


def _warm_up() -> None:
    began = time.perf_counter()
    # What is loaded by now and by the warm-up (the web, apprise and PDF stacks) lives as long as the
    # process. A full collection walking it held the interpreter, and so the HTTP door, for 80-100 ms;
    # the warm-up's own allocations set one off. So no collection runs during the warm-up, and what it
    # loaded is then moved out of the collector's reach (``gc.freeze``).
    gc.disable()
    try:
        warm_up()
    finally:
        gc.freeze()
        gc.enable()
    seconds = round(time.perf_counter() - began, 2)
    log.info("daemon.warmed_up", seconds=seconds, frozen_objects=gc.get_freeze_count())
