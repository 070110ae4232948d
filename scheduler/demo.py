"""``run --demo``: a real action due in a few minutes and a ``log://`` channel, to watch it work."""

from __future__ import annotations

from datetime import timedelta
from importlib.resources import files
from pathlib import Path

from sqlmodel import select

from actions import store
from actions.models import Action, Channel
from actions.structured import load_action_file
from scheduler.service import Service

DEMO_DEADLINE_IN = timedelta(minutes=3)
DEMO_REMINDERS = [timedelta(minutes=2), timedelta(minutes=1), timedelta(seconds=30)]
DEMO_CHANNEL = "demo-log"
FIRST_DEMO_NUMBER = 901


def seed_demo(service: Service) -> str:
    """Add the demo action under the first free number 901.YY onwards; return its UA number."""
    path = Path(str(files("config").joinpath("demo-action.yaml")))
    spec = load_action_file(path)
    now = service.clock.now()
    with service.session() as session:
        taken = set(session.exec(select(Action.ua)).all())
        number = FIRST_DEMO_NUMBER
        while f"{number}.{now:%y}" in taken:
            number += 1
        demo = spec.model_copy(
            update={
                "ua": f"{number}.{now:%y}",
                "deadline": (now + DEMO_DEADLINE_IN).isoformat(),
                "reminders": DEMO_REMINDERS,
            }
        )
        store.create_action(
            session,
            demo,
            now=now,
            default_timezone=service.settings.timezone,
            default_offsets=service.settings.reminders,
        )
        if session.exec(select(Channel).where(Channel.name == DEMO_CHANNEL)).first() is None:
            session.add(
                Channel(
                    name=DEMO_CHANNEL,
                    url="log://",
                    tags=[service.settings.reminder_tag, service.settings.report_tag],
                    created_at=now,
                )
            )
        session.commit()
    return demo.ua
