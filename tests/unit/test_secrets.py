"""Channel secrets stay out of what people see: masked URLs, and a redactor for logs."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import structlog

from jobs.secrets import MASK, Redactor, _mask_query, mask_url, secrets_in

# (url, the secrets in it)
CHANNELS: list[tuple[str, tuple[str, ...]]] = [
    ("json://user:hunter2pass@example.com/path", ("hunter2pass",)),
    ("json://example.com/path?+X-Token=abcSECRETheader", ("abcSECRETheader",)),
    ("json://example.com/path?:apikey=payloadSECRET", ("payloadSECRET",)),
    ("json://example.com/path?-droppedkey=dropSECRET", ("dropSECRET",)),
    (
        "json://example.com/?apikey=queryApiKeySecret&token=queryTokenSecret",
        ("queryApiKeySecret", "queryTokenSecret"),
    ),
    ("json://example.com/hooks/a1b2c3d4e5f6g7h8i9j0k1l2", ("a1b2c3d4e5f6g7h8i9j0k1l2",)),
    ("ntfy://ntfy.example.org/alerts?token=tk_abcdefSECRET123", ("tk_abcdefSECRET123",)),
    (
        "mailto://user:mailPassw0rd@example.org?to=coord@example.org&from=ua@example.org",
        ("mailPassw0rd",),
    ),
    (
        "tgram://123456789:ABCdefGHIjklMNOpqrSTUvwxYZ012345/12345678",
        ("ABCdefGHIjklMNOpqrSTUvwxYZ012345",),
    ),
    (
        "slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ",
        ("TIiajkdnlazkcOXrIdevi7FQ",),
    ),
    (
        "slack://xoxb-1234-1234-4ddbc191d40ee098cbaae6f3523ada2d/#general",
        ("xoxb-1234-1234-4ddbc191d40ee098cbaae6f3523ada2d",),
    ),
    ("discord://4174216298/JHMHI8qBe7bk2ZwO5U711o3dV_js", ("JHMHI8qBe7bk2ZwO5U711o3dV_js",)),
    (
        "json://user:hunter2pass@example.com/path"
        "?+X-Token=abcSECRETheader&:apikey=payloadSECRET&-droppedkey=dropSECRET",
        ("hunter2pass", "abcSECRETheader", "payloadSECRET", "dropSECRET"),
    ),
]


def ids(cases: list[tuple[str, tuple[str, ...]]]) -> list[str]:
    return [url.split("?")[0][:40] for url, _ in cases]


@pytest.mark.parametrize(("url", "secrets"), CHANNELS, ids=ids(CHANNELS))
def test_the_masked_url_contains_none_of_the_secrets(url: str, secrets: tuple[str, ...]) -> None:
    masked = mask_url(url)
    for secret in secrets:
        assert secret not in masked


@pytest.mark.parametrize(("url", "secrets"), CHANNELS, ids=ids(CHANNELS))
def test_secrets_in_finds_every_secret(url: str, secrets: tuple[str, ...]) -> None:
    assert set(secrets) <= secrets_in(url)


@pytest.mark.parametrize(("url", "secrets"), CHANNELS, ids=ids(CHANNELS))
def test_a_raw_url_logged_through_the_redactor_shows_none_of_its_secrets(
    url: str, secrets: tuple[str, ...]
) -> None:
    redactor = Redactor()
    redactor.add_url(url)
    redacted = redactor.redact(f"cannot send to {url}")
    for secret in secrets:
        assert secret not in redacted
    assert MASK in redacted


def test_mask_url_hides_the_password_but_keeps_user_and_host() -> None:
    masked = mask_url("json://user:hunter2pass@example.com/path")
    assert masked.startswith(f"json://user:{MASK}@example.com/path")


def test_mask_url_hides_custom_header_values_but_keeps_the_header_name() -> None:
    masked = mask_url("json://example.com/?+X-Token=abcSECRETheader")
    assert f"%2BX-Token={MASK}" in masked


def test_mask_url_hides_payload_and_dropped_key_values() -> None:
    masked = mask_url("json://example.com/?:apikey=payloadSECRET&-droppedkey=dropSECRET")
    assert f":apikey={MASK}" in masked
    assert f"-droppedkey={MASK}" in masked


def test_mask_url_shortens_token_like_path_segments_to_first_and_last_character() -> None:
    masked = mask_url("json://example.com/hooks/a1b2c3d4e5f6g7h8i9j0k1l2")
    assert masked.startswith("json://example.com/hooks/a...2")


def test_mask_url_keeps_plain_settings_visible() -> None:
    masked = mask_url("mailto://user:mailPassw0rd@example.org?to=coord@example.org")
    assert "example.org" in masked
    assert "coord%40example.org" in masked or "coord@example.org" in masked


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("apikey=abc12345", f"apikey={MASK}"),
        ("token=tok999", f"token={MASK}"),
        ("Secret=s", f"Secret={MASK}"),
        ("name=hello", "name=hello"),
        ("retry=3&verify=yes", "retry=3&verify=yes"),
        ("colour=a1b2c3d4e5f6g7h8i9", f"colour={MASK}"),
        ("token=", "token="),
    ],
)
def test_query_values_under_secret_names_or_token_like_are_masked(query: str, expected: str) -> None:
    assert _mask_query(query) == expected


# --- URLs apprise cannot read --------------------------------------------------------------------


def test_an_unknown_scheme_masks_to_its_scheme_only() -> None:
    url = "nonsense://whatever:supersecretvalue@host/x/y?key=k3y"
    masked = mask_url(url)
    assert masked == f"nonsense://{MASK}"
    assert "supersecretvalue" in secrets_in(url)


def test_a_url_that_does_not_parse_masks_to_something_without_its_secret() -> None:
    # An unbalanced IPv6 bracket makes urllib raise ValueError; masking must still succeed.
    url = "json://user:s3cretpass@[::1/hook"
    masked = mask_url(url)
    assert "s3cretpass" not in masked


def test_a_channel_apprise_refuses_does_not_show_a_token_written_as_its_host() -> None:
    # Telegram writes the bot token where the host goes; apprise refuses this one (no chat id).
    secret = "123456789abcdefABCDEF123"
    masked = mask_url(f"tgram://{secret}/")
    assert secret.lower() not in masked.lower()


# --- Redactor ------------------------------------------------------------------------------------


@pytest.fixture
def redactor() -> Redactor:
    redactor = Redactor()
    redactor.add_url("json://user:hunter2pass@example.com/?+X-Token=abcSECRETheader&:apikey=payloadSECRET")
    return redactor


def test_a_redactor_without_secrets_changes_nothing() -> None:
    assert Redactor().redact("hunter2pass") == "hunter2pass"
    event = {"event": "sent", "url": "hunter2pass"}
    assert Redactor()(None, "info", dict(event)) == event


def test_the_redactor_replaces_secrets_in_strings(redactor: Redactor) -> None:
    text = "POST failed: user:hunter2pass header abcSECRETheader body payloadSECRET"
    redacted = redactor.redact(text)
    assert redacted == f"POST failed: user:{MASK} header {MASK} body {MASK}"


def test_the_redactor_replaces_secrets_in_nested_dicts_and_lists(redactor: Redactor) -> None:
    value: dict[str, Any] = {
        "outer": {"inner": ["ok", "x hunter2pass y", ("abcSECRETheader",)], "n": 3},
        "flag": True,
    }
    redacted = redactor.redact_value(value)
    assert redacted == {
        "outer": {"inner": ["ok", f"x {MASK} y", (MASK,)], "n": 3},
        "flag": True,
    }
    assert "hunter2pass" in value["outer"]["inner"][1], "the input is left as it was"


def test_the_redactor_hides_a_longer_secret_whole_when_it_contains_a_shorter_one() -> None:
    redactor = Redactor()
    redactor.add(["abc", "abcdefgh"])
    assert redactor.redact("[abcdefgh]") == f"[{MASK}]"


def test_the_redactor_ignores_secrets_too_short_to_be_safe_to_replace() -> None:
    redactor = Redactor()
    redactor.add(["ab", ""])
    assert redactor.redact("abc ab") == "abc ab"


def test_the_redactor_works_as_a_structlog_processor(redactor: Redactor) -> None:
    logger = structlog.wrap_logger(
        structlog.ReturnLogger(),
        processors=[redactor, structlog.processors.JSONRenderer(sort_keys=True)],
    )
    line = logger.info(
        "sending to json://user:hunter2pass@example.com",
        headers={"X-Token": "abcSECRETheader"},
        attempts=["payloadSECRET"],
    )
    assert isinstance(line, str)
    for secret in ("hunter2pass", "abcSECRETheader", "payloadSECRET"):
        assert secret not in line
    assert json.loads(line) == {
        "event": f"sending to json://user:{MASK}@example.com",
        "headers": {"X-Token": MASK},
        "attempts": [MASK],
    }


@pytest.mark.parametrize("url", ["notascheme://SECRET@host", "slack://SECRETA/SECRETB"])
def test_registering_an_unreadable_url_lets_apprise_log_nothing(
    url: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG, logger="apprise"):
        Redactor().add_url(url)
        mask_url(url)
    assert caplog.records == []


def test_apprise_records_are_redacted_before_any_handler_sees_them(caplog: pytest.LogCaptureFixture) -> None:
    redactor = Redactor()
    redactor.add_url("json://user:hunter2pass@example.com/path")
    apprise_logger = logging.getLogger("apprise")
    apprise_logger.addFilter(redactor)
    try:
        with caplog.at_level(logging.WARNING, logger="apprise"):
            apprise_logger.warning("could not reach %s", "json://user:hunter2pass@example.com/path")
    finally:
        apprise_logger.removeFilter(redactor)
    assert [r.getMessage() for r in caplog.records] == ["could not reach json://user:****@example.com/path"]


READ_LATE = """
import json, sys
from jobs.secrets import Redactor
from scheduler.service import open_service
from config.settings import Settings

redactor = Redactor()
redactor.add_url("json://user:s3cretpassw0rd@example.org/hook?-token=abcdef123456")
service = open_service(
    Settings(database_url=sys.argv[1], mail_url="mailtos://ua:m4ilpassw0rd@smtp.example.org"),
    redactor=redactor,
)
loaded_before = "apprise" in sys.modules
text = redactor.redact("s3cretpassw0rd abcdef123456 m4ilpassw0rd")
print(json.dumps({"before": loaded_before, "after": "apprise" in sys.modules, "text": text}))
"""


def test_urls_are_read_for_secrets_at_the_first_redaction_not_when_added(tmp_path: Path) -> None:
    """A command that shows and logs nothing starts without apprise, channels and mail_url set or not;
    the first redaction reads them all, and hides what they hold."""
    database = f"sqlite:///{tmp_path / 'read-late.db'}"
    command = [sys.executable, "-c", READ_LATE, database]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["before"] is False
    assert seen["after"] is True
    assert seen["text"] == f"{MASK} {MASK} {MASK}"
