"""Running totals: kept in each report's transaction, always equal to a recount of the reports."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlmodel import Session, col, select

from actions import counters, reporting, store
from actions.clock import ManualClock
from actions.errors import InvalidInputError
from actions.models import Report
from actions.specs import ReportCounts, TargetSpec
from actions.store import COUNTRY_CODES
from config.settings import ACTION_KINDS
from scheduler.service import Service
from tests.factories import add_action, add_report
from tests.support.cli import Run

TARGETS = ["Bolot Otunbaev", "Nurlan Ibraimov"]
TARGET_SPECS = [TargetSpec(name=name) for name in TARGETS]
SUPPORTERS = [f"{n:064x}" for n in range(3)]


@dataclass(frozen=True)
class NewReport:
    counts: dict[str, int]
    supporter: str | None
    target: str | None
    late: bool
    held: bool
    idempotency_key: str | None
    door: bool
    """Through the report door's own transaction (``ReportDoor.record``), else a staff session."""


@dataclass(frozen=True)
class Review:
    """A change to a stored report: approve a held one, reject (delete) one, or re-file its lateness."""

    what: str
    index: int


counts_strategy = st.fixed_dictionaries(
    {kind: st.integers(min_value=0, max_value=5) for kind in ACTION_KINDS}
).filter(lambda c: sum(c.values()) > 0)
new_reports = st.builds(
    NewReport,
    counts=counts_strategy,
    supporter=st.sampled_from([None, *SUPPORTERS]),
    target=st.sampled_from([None, *TARGETS]),
    late=st.booleans(),
    held=st.booleans(),
    idempotency_key=st.sampled_from([None, None, "k1", "k2"]),
    door=st.booleans(),
)
reviews = st.builds(Review, what=st.sampled_from(["approve", "reject", "refile"]), index=st.integers(0, 50))
steps = st.lists(st.one_of(new_reports, new_reports, reviews), min_size=1, max_size=25)


def _apply(service: Service, action_id: int, step: NewReport | Review) -> None:
    if isinstance(step, NewReport) and step.door:
        with Session(service.engine) as session:
            action = store.get_action_by_id(session, action_id)
        now = action.deadline + timedelta(hours=1) if step.late else service.clock.now()
        draft = reporting.Draft(
            ReportCounts(**step.counts),
            country="NL",
            source="api",
            supporter_hash=step.supporter,
            idempotency_key=step.idempotency_key,
            target=step.target,
            held=step.held,
        )
        service.door.record(action.ua, draft, now=now, codes=COUNTRY_CODES)
        return
    with Session(service.engine) as session:
        action = store.get_action_by_id(session, action_id)
        if isinstance(step, NewReport):
            now = action.deadline + timedelta(hours=1) if step.late else service.clock.now()
            store.add_report(
                session,
                action,
                ReportCounts(**step.counts),
                country="NL",
                now=now,
                source="test",
                supporter_hash=step.supporter,
                idempotency_key=step.idempotency_key,
                target=step.target,
                held=step.held,
            )
        else:
            stored = session.exec(
                select(Report).where(Report.action_id == action_id).order_by(col(Report.id))
            ).all()
            if not stored:
                return
            report = stored[step.index % len(stored)]
            with counters.keeping_counts(session, action_id, [report]):
                if step.what == "approve":
                    report.held = False
                    session.add(report)
                elif step.what == "reject":
                    session.delete(report)
                else:
                    report.late = not report.late
                    session.add(report)
        session.commit()


@pytest.fixture
def service(make_service: Callable[..., Service]) -> Service:
    return make_service()


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(sequence=steps)
def test_the_counters_equal_a_recount_after_any_sequence_of_reports(
    service: Service, sequence: list[NewReport | Review]
) -> None:
    with Session(service.engine) as session:
        number = session.execute(text("SELECT COUNT(*) FROM action")).scalar_one()
    action = add_action(service, ua=f"{int(number) + 1}.20", targets=TARGET_SPECS)
    assert action.id is not None

    for step in sequence:
        _apply(service, action.id, step)

    with Session(service.engine) as session:
        kept, recounted = counters.running(session, action.id), counters.recount(session, action.id)
        assert kept.differences(recounted) == []
        assert kept.without_zeros() == recounted.without_zeros()
        assert counters.verify(session, action.id) == []


def test_a_repeat_report_from_one_supporter_adds_only_what_goes_beyond(service: Service) -> None:
    action = add_action(service)
    assert action.id is not None
    ann = SUPPORTERS[0]
    with Session(service.engine) as session:
        for letters, emails in ((2, 0), (1, 3), (2, 3)):
            store.add_report(
                session,
                store.get_action(session, "61.20"),
                ReportCounts(letter=letters, email=emails),
                country=None,
                now=service.clock.now(),
                source="test",
                supporter_hash=ann,
            )
            session.commit()
    add_report(service, "61.20", letter=1)

    with Session(service.engine) as session:
        kept = counters.running(session, action.id)
    assert (kept.total, kept.reports, kept.by_kind["letter"], kept.by_kind["email"]) == (6, 2, 3, 3)
    assert (kept.late, kept.held) == (0, 0)


def test_late_and_held_reports_are_counted_apart(service: Service) -> None:
    action = add_action(service)
    assert action.id is not None
    add_report(service, "61.20", letter=2)
    add_report(service, "61.20", at=action.deadline + timedelta(minutes=1), call=4)
    with Session(service.engine) as session:
        store.add_report(
            session,
            store.get_action(session, "61.20"),
            ReportCounts(fax=90),
            country=None,
            now=service.clock.now(),
            source="api",
            held=True,
        )
        session.commit()
        kept = counters.running(session, action.id)
    assert (kept.total, kept.late, kept.late_reports, kept.held, kept.held_reports) == (2, 4, 1, 90, 1)


def test_reports_of_one_supporter_at_the_same_time_count_once(service: Service) -> None:
    action = add_action(service)
    assert action.id is not None
    threads, per_thread = 6, 5
    start = threading.Barrier(threads)
    failures: list[BaseException] = []

    def report(n: int) -> None:
        start.wait()
        try:
            for i in range(per_thread):
                with Session(service.engine) as session:
                    store.add_report(
                        session,
                        store.get_action(session, "61.20"),
                        ReportCounts(letter=1 + (n + i) % 4, email=1),
                        country=None,
                        now=service.clock.now(),
                        source="api",
                        supporter_hash=SUPPORTERS[1],
                    )
                    session.commit()
        except BaseException as exc:
            failures.append(exc)

    workers = [threading.Thread(target=report, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert failures == []
    with Session(service.engine) as session:
        kept = counters.running(session, action.id)
        assert kept.differences(counters.recount(session, action.id)) == []
    assert (kept.reports, kept.by_kind["letter"], kept.by_kind["email"]) == (1, 4, 1)


def test_tally_verify_recounts_and_names_any_difference(service: Service, run: Run) -> None:
    add_action(service)
    add_report(service, "61.20", letter=2, email=1)
    add_report(service, "61.20", call=3)

    agreed = run("tally", "61.20", "--verify")
    assert agreed.code == 0, agreed.err
    assert "match a recount" in agreed.out
    assert "6 action(s) in 2 report(s)" in agreed.out

    with service.engine.begin() as connection:
        connection.execute(text("UPDATE actioncounter SET letter = letter + 5 WHERE late = :f"), {"f": False})
    differs = run("tally", "61.20", "--verify")
    assert differs.code == 1
    (line,) = differs.err.strip().splitlines()
    assert "UA 61.20: the running totals differ from a recount" in line
    assert "late=false held=false letter: 7 != 2" in line


def test_the_report_door_decides_on_the_action_as_it_is_not_as_it_was_cached(
    service: Service, clock: ManualClock
) -> None:
    add_action(service, deadline="2026-05-02")
    draft = reporting.Draft(ReportCounts(letter=1), source="api")

    def record() -> reporting.Stored:
        return service.door.record("61.20", draft, now=clock.now(), codes=COUNTRY_CODES)

    assert record().late is False  # now cached as open until the end of 2 May
    with Session(service.engine) as session:  # staff extend it, elsewhere
        action = store.get_action(session, "61.20")
        new_deadline = store.resolve_deadline("2026-05-10", "UTC")
        store.extend_deadline(
            session, action, new_deadline, now=clock.now(), offsets=service.settings.reminders
        )
        session.commit()
    clock.advance(timedelta(days=4))  # past the cached deadline, before the new one
    assert record().late is False
    with Session(service.engine) as session:  # and cancel it
        store.cancel_action(session, store.get_action(session, "61.20"), now=clock.now(), reason="test")
        session.commit()
    with pytest.raises(InvalidInputError, match="cancelled"):
        record()

    with Session(service.engine) as session:
        action = store.get_action(session, "61.20")
        assert action.id is not None
        kept = counters.running(session, action.id)
        assert counters.verify(session, action.id) == []
    assert (kept.total, kept.late) == (2, 0)
