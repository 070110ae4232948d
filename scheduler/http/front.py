"""The front door: the open actions soonest first, the recently closed ones, and an Atom feed of actions."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from feedgen.feed import FeedGenerator

from actions import front
from actions.deadlines import local_text, time_left_in_words
from actions.views import iso
from scheduler.http.deps import ServiceDep, SessionDep

router = APIRouter(tags=["public pages"])
FEED_TYPE = "application/atom+xml; charset=utf-8"


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def front_page(request: Request, service: ServiceDep, session: SessionDep) -> HTMLResponse:
    """Open actions (soonest deadline first) with their running totals, then recently closed ones."""
    now = service.clock.now()
    opened: list[dict[str, Any]] = [
        {
            "action": item.action,
            "total": item.total,
            "time_left": time_left_in_words(item.action.deadline - now),
            "deadline_iso": iso(item.action.deadline),
            "deadline_local": local_text(item.action.deadline, item.action.timezone),
        }
        for item in front.open_actions(session, now)
    ]
    closed = [
        {"action": item.action, "total": item.total, "closed_iso": iso(item.action.closed_at)}
        for item in front.recently_closed(session, now)
    ]
    templates = request.app.state.templates
    response: HTMLResponse = templates.TemplateResponse(
        request, "front.html", {"open": opened, "closed": closed, "now_iso": iso(now)}
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/feed.atom", include_in_schema=False)
def feed(service: ServiceDep, session: SessionDep) -> Response:
    """New actions as an Atom feed, the newest first; each entry links to the action's page."""
    base = service.settings.public_url
    actions = front.newest(session)
    generator = FeedGenerator()
    generator.id(f"{base}/feed.atom")
    generator.title("Urgent Actions")
    generator.subtitle("New Urgent Actions: whom to write to, how, and by when")
    generator.link(href=f"{base}/", rel="alternate")
    generator.link(href=f"{base}/feed.atom", rel="self")
    generator.language("en")
    generator.updated(max((a.updated_at for a in actions), default=service.clock.now()))
    for action in reversed(actions):  # feedgen puts the last added entry first
        entry = generator.add_entry()
        entry.id(f"{base}/ua/{action.ua}")
        entry.title(f"UA {action.ua}: {action.title}")
        entry.link(href=f"{base}/ua/{action.ua}", rel="alternate")
        entry.published(action.created_at)
        entry.updated(action.updated_at)
        where = f" ({action.country})" if action.country else ""
        deadline = local_text(action.deadline, action.timezone)
        entry.summary(f"{action.subject or action.title}{where}. Act before {deadline}.")
    body: bytes = generator.atom_str(pretty=True)
    return Response(content=body, media_type=FEED_TYPE)
