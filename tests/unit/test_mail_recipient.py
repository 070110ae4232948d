"""The service's mail channel aimed at one supporter, whichever mail service ``mail_url`` names."""

from __future__ import annotations

from jobs.notify import _PLUGINS, _addressed


def test_smtp_takes_the_address_on_a_copy_of_the_channel_parsed_once() -> None:
    url = "mailto://127.0.0.1:2525?from=ua@example.org&mode=insecure"
    shared = _PLUGINS.get(url)
    assert shared is not None

    aimed = _addressed(shared, url, "supporter@example.org")

    assert aimed is not None
    assert aimed.targets == [(False, "supporter@example.org")]  # type: ignore[attr-defined]
    assert shared.targets == [(False, "ua@example.org")]  # type: ignore[attr-defined]  # untouched


def test_another_mail_service_is_given_the_address_as_its_url_says() -> None:
    url = "sendgrid://abcd1234:noreply@example.org"
    shared = _PLUGINS.get(url)
    assert shared is not None

    aimed = _addressed(shared, url, "supporter@example.org")

    assert type(aimed) is type(shared)
    assert aimed is not None
    assert aimed.targets == ["supporter@example.org"]  # type: ignore[attr-defined]
    assert shared.targets == ["noreply@example.org"]  # type: ignore[attr-defined]
