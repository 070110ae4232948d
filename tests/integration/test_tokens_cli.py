"""Staff tokens from the CLI: shown once, stored as a hash only, working against the API until revoked."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session

from config.settings import Settings
from jobs.secrets import Redactor
from scheduler.http.app import create_app
from scheduler.service import open_service


@pytest.fixture
def api(database_url: str) -> Iterator[TestClient]:
    service = open_service(Settings(database_url=database_url), redactor=Redactor())
    with TestClient(create_app(service), base_url="http://127.0.0.1") as client:
        yield client
    service.engine.dispose()


def status_with(api: TestClient, token: str | None) -> int:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return api.get("/api/v1/actions", headers=headers).status_code


def token_rows(database_url: str) -> list[tuple[Any, ...]]:
    service = open_service(Settings(database_url=database_url), redactor=Redactor())
    try:
        with Session(service.engine) as session:
            return [tuple(row) for row in session.execute(text("SELECT * FROM apitoken")).all()]
    finally:
        service.engine.dispose()


def test_a_created_token_opens_the_api_until_it_is_revoked(
    run: Any, api: TestClient, database_url: str
) -> None:
    assert status_with(api, None) == 401
    assert status_with(api, "uas_made-up") == 401

    created = run("tokens", "create", "alice")
    assert created.code == 0, created.err
    token = created.out.strip()
    assert created.out == f"{token}\n"  # the token alone on stdout, for scripts
    assert token.startswith("uas_")
    assert len(token) > 40
    assert "cannot be shown again" in created.err
    assert token not in created.err

    assert status_with(api, None) == 401
    assert status_with(api, token) == 200
    assert status_with(api, token + "x") == 401

    revoked = run("tokens", "revoke", "alice")
    assert revoked.code == 0, revoked.err
    assert status_with(api, token) == 401
    listed = run("tokens", "list", "--json").json()
    assert listed[0]["name"] == "alice"
    assert listed[0]["revoked_at"] is not None
    assert listed[0]["last_used_at"] is not None


def test_only_the_hash_is_stored_and_listing_never_shows_a_token(run: Any, database_url: str) -> None:
    tokens = {name: run("tokens", "create", name).out.strip() for name in ("alice", "bob")}
    rows = token_rows(database_url)
    assert len(rows) == 2
    stored = " ".join(str(value) for row in rows for value in row)
    for token in tokens.values():
        assert token not in stored
        assert token.removeprefix("uas_") not in stored
        assert hashlib.sha256(token.encode()).hexdigest() in stored

    as_text = run("tokens", "list")
    as_json = run("tokens", "list", "--json")
    assert as_text.code == as_json.code == 0
    assert [item["name"] for item in as_json.json()] == ["alice", "bob"]
    assert set(as_json.json()[0]) == {"name", "created_at", "last_used_at", "revoked_at"}
    assert "alice" in as_text.out
    assert "active" in as_text.out
    for token in tokens.values():
        digest = hashlib.sha256(token.encode()).hexdigest()
        for output in (as_text, as_json):
            assert token not in output.out + output.err
            assert digest not in output.out + output.err


def test_a_duplicate_name_or_an_unknown_one_is_an_error(run: Any, database_url: str) -> None:
    assert run("tokens", "create", "alice").code == 0
    duplicate = run("tokens", "create", "alice")
    assert duplicate.code == 1
    assert duplicate.out == ""
    assert duplicate.err.startswith("ua-scheduler: error: ")
    assert "alice" in duplicate.err
    assert len(duplicate.err.strip().splitlines()) == 1
    assert len(token_rows(database_url)) == 1

    bad_name = run("tokens", "create", "no spaces")
    assert (bad_name.code, bad_name.out) == (1, "")
    unknown = run("tokens", "revoke", "bob")
    assert unknown.code == 1
    assert "bob" in unknown.err
