"""A failed send's reason, read from what apprise logged during it."""

from __future__ import annotations

import logging

import pytest

from jobs.reasons import UNKNOWN, Heard


def heard(*lines: tuple[int, str]) -> Heard:
    found = Heard()
    found.records = [
        logging.LogRecord("apprise", level, "x.py", 1, text, None, None) for level, text in lines
    ]
    return found


@pytest.mark.parametrize(
    ("lines", "reason"),
    [
        (
            [
                (logging.DEBUG, "Socket Exception: {'bob@example.org': (550, b'mailbox unavailable')}"),
                (logging.WARNING, 'Sending email to "bob@example.org" failed.'),
            ],
            "SMTP 550 mailbox unavailable",
        ),
        (
            [(logging.WARNING, "Failed to send JSON POST notification: Internal server error., error=500.")],
            "HTTP 500",
        ),
        (
            [
                (logging.WARNING, "A Connection error occurred sending JSON notification to 127.0.0.1."),
                (logging.DEBUG, "Socket Exception: ... [Errno 111] Connection refused"),
            ],
            "connection refused",
        ),
        ([(logging.DEBUG, "Socket Exception: Read timed out. (read timeout=4)")], "timed out"),
        ([], UNKNOWN),
    ],
)
def test_the_reason_names_the_cause(lines: list[tuple[int, str]], reason: str) -> None:
    assert heard(*lines).reason() == reason


def test_words_in_the_message_itself_are_not_taken_for_a_cause() -> None:
    found = heard(
        (logging.DEBUG, "JSON Payload: {'message': 'connection refused at the prison, error=503'}"),
        (logging.WARNING, 'Sending email to "ann@example.org" failed.'),
    )
    assert found.reason() == 'Sending email to "***@example.org" failed.'
