"""Leadership on PostgreSQL: one leader per schema, taken over when the leader's connection ends."""

from __future__ import annotations

import pytest

from scheduler.db import engine_for
from scheduler.leadership import AdvisoryLock
from tests.support.databases import postgres_schema

pytestmark = pytest.mark.postgresql


@pytest.fixture(autouse=True)
def _needs_postgres(request: pytest.FixtureRequest) -> None:
    request.getfixturevalue("_postgres_available")


def test_one_instance_leads_a_schema_and_another_takes_over_when_it_lets_go() -> None:
    with postgres_schema() as url:
        engine = engine_for(url)
        first, second = AdvisoryLock(engine), AdvisoryLock(engine)
        try:
            assert first.try_lead()
            assert not second.try_lead()
            first.release()
            assert second.try_lead()
        finally:
            first.release()
            second.release()
            engine.dispose()


def test_deployments_in_schemas_of_their_own_on_one_database_each_have_a_leader() -> None:
    with postgres_schema() as url_a, postgres_schema() as url_b:
        engine_a, engine_b = engine_for(url_a), engine_for(url_b)
        a, b = AdvisoryLock(engine_a), AdvisoryLock(engine_b)
        try:
            assert a.try_lead()
            assert b.try_lead()  # before: one lock for the whole database, so b never led
        finally:
            a.release()
            b.release()
            engine_a.dispose()
            engine_b.dispose()
