"""Factories: actions, reports and channels with defaults a test overrides only where it matters."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from actions import store
from actions.models import Action, Channel
from actions.specs import ActionSpec, ReportCounts, TargetSpec
from scheduler.service import Service


def action_spec(**overrides: Any) -> ActionSpec:
    values: dict[str, Any] = {
        "ua": "61.20",
        "title": "Health of prisoner of conscience at risk",
        "deadline": "2026-05-09",
        "timezone": "UTC",
        "subject": "Azimjan Askarov",
        "country": "Kyrgyzstan",
        "preferred_languages": ["Kyrgyz", "Russian"],
        "targets": [
            TargetSpec(
                name="Bolot Otunbaev",
                title="Ambassador",
                salutation="Dear Ambassador",
                postal_address="2360 Massachusetts Avenue NW, Washington DC 20008",
                emails=["embassy@example.org"],
                phones=["202 449 9822"],
                faxes=["202 449 8275"],
                social={"facebook": "@kgembassyusa"},
            )
        ],
    }
    values.update(overrides)
    return ActionSpec.model_validate(values)


def add_action(service: Service, **overrides: Any) -> Action:
    with Session(service.engine) as session:
        action = store.create_action(
            session,
            action_spec(**overrides),
            now=service.clock.now(),
            default_timezone=service.settings.timezone,
            default_offsets=service.settings.reminders,
        )
        session.commit()
        session.refresh(action)
        return action


def add_report(
    service: Service,
    ua: str,
    *,
    at: datetime | None = None,
    country: str | None = None,
    **counts: int,
) -> None:
    with Session(service.engine) as session:
        action = store.get_action(session, ua)
        store.add_report(
            session,
            action,
            ReportCounts(**counts),
            country=country,
            now=at or service.clock.now(),
            source="test",
        )
        session.commit()


def add_channel(service: Service, name: str, url: str, *tags: str) -> None:
    with Session(service.engine) as session:
        session.add(Channel(name=name, url=url, tags=list(tags), created_at=service.clock.now()))
        session.commit()


def days(n: float) -> timedelta:
    return timedelta(days=n)
