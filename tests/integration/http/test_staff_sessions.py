"""Dashboard sessions live on the server: signing out ends them for every copy of the cookie, and
they expire."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session

from actions.clock import ManualClock
from scheduler.app import tokens
from scheduler.http.auth import SESSION_COOKIE, SESSION_LIFETIME
from scheduler.service import Service
from tests.integration.http.test_api import login


def _reused(client: TestClient, cookie: str) -> tuple[int, int]:
    """What a cookie saved earlier opens now: the dashboard's status and the API's."""
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, cookie)
    page = client.get("/dashboard", follow_redirects=False).status_code
    api = client.get("/api/v1/actions").status_code
    return page, api


def test_a_cookie_saved_before_sign_out_opens_nothing_after_it(client: TestClient, staff_token: str) -> None:
    csrf = login(client, staff_token)
    saved = client.cookies[SESSION_COOKIE]
    assert client.get("/dashboard", follow_redirects=False).status_code == 200

    out = client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert out.status_code == 303

    assert _reused(client, saved) == (303, 401)
    client.cookies.clear()
    assert login(client, staff_token)  # signing in again works, with a new session
    assert client.cookies[SESSION_COOKIE] != saved
    assert client.get("/dashboard", follow_redirects=False).status_code == 200


def test_sessions_expire_on_the_server(
    client: TestClient, service: Service, clock: ManualClock, staff_token: str
) -> None:
    login(client, staff_token)
    saved = client.cookies[SESSION_COOKIE]
    clock.set(clock.now() + SESSION_LIFETIME - timedelta(seconds=1))
    assert _reused(client, saved) == (200, 200)
    clock.set(clock.now() + timedelta(seconds=1))
    assert _reused(client, saved) == (303, 401)


def test_revoking_the_token_ends_its_sessions(client: TestClient, service: Service, staff_token: str) -> None:
    login(client, staff_token)
    saved = client.cookies[SESSION_COOKIE]
    with Session(service.engine) as session:
        tokens.revoke(session, "staff", now=service.clock.now())
        session.commit()
    assert _reused(client, saved) == (303, 401)
