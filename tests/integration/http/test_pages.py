"""Supporters' pages over a real database: the action, the report form, personal reminders."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlmodel import Session, select

from actions import store
from actions.clock import ManualClock
from actions.models import ConfirmationSent, Delivery, OutboxStatus, Report, Subscription
from jobs.due import run_pass
from scheduler.http.app import create_app
from scheduler.http.guards import CSRF_COOKIE, CSRF_FIELD
from scheduler.service import Service
from tests.factories import add_action, add_report
from tests.integration.http.conftest import RunningScheduler
from tests.support.sinks import SmtpSink, wait_for

TOKEN_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
KEY_RE = re.compile(r'name="idempotency_key" value="([^"]*)"')


def stored(service: Service) -> int:
    with Session(service.engine) as session:
        return int(session.exec(select(func.count()).select_from(Report)).one())


def subscriptions(service: Service) -> list[Subscription]:
    with Session(service.engine) as session:
        return list(session.exec(select(Subscription)).all())


def form_token(client: TestClient, url: str) -> str:
    page = client.get(url)
    assert page.status_code == 200, page.text
    match = TOKEN_RE.search(page.text)
    assert match is not None
    return match.group(1)


def report(client: TestClient, ua: str = "61.20", **fields: str) -> tuple[str, dict[str, str]]:
    """The form as a browser would send it, with the token the form page gave."""
    page = client.get(f"/ua/{ua}/report")
    token, key = TOKEN_RE.search(page.text), KEY_RE.search(page.text)
    assert token is not None
    assert key is not None
    return f"/ua/{ua}/report", {CSRF_FIELD: token.group(1), "idempotency_key": key.group(1), **fields}


# ----------------------------------------------------------------------------------------- the action


def test_the_action_page_shows_whom_to_write_to_how_and_by_when(client: TestClient, service: Service) -> None:
    add_action(
        service,
        timezone="Asia/Bishkek",
        deadline="2026-05-09",
        sample_letter="Dear Ambassador,\n\nRelease Azimjan Askarov.",
    )
    add_report(service, "61.20", letter=2, email=1)
    page = client.get("/ua/61.20")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    html = page.text
    assert "Health of prisoner of conscience at risk" in html
    assert "Azimjan Askarov" in html
    assert "Bolot Otunbaev" in html
    assert "Ambassador" in html
    assert '<em class="salutation">Dear Ambassador</em>' in html
    assert 'href="mailto:embassy@example.org"' in html
    assert 'href="tel:2024499822"' in html  # phone
    assert 'href="tel:2024498275"' in html  # fax
    assert "@kgembassyusa" in html
    assert 'href="https://www.facebook.com/kgembassyusa"' in html
    assert "2360 Massachusetts Avenue NW" in html
    assert "Kyrgyz, Russian" in html
    assert "Release Azimjan Askarov." in html
    # the end of 9 May in Bishkek (UTC+6) is 18:00 UTC on 9 May
    assert "Saturday 9 May 2026, end of day (Asia/Bishkek)" in html
    assert 'data-deadline="2026-05-09T18:00:00Z"' in html
    assert re.search(r'id="countdown"[^>]*>\s*8 days and 6 hours left', html)
    assert "<noscript>Saturday 9 May 2026, 18:00 UTC</noscript>" in html
    assert re.search(r'<strong class="countdown">3</strong>\s*actions reported so far', html)
    assert 'href="/ua/61.20/report"' in html


def test_a_number_written_with_a_slash_or_prefix_finds_the_action(
    client: TestClient, service: Service
) -> None:
    add_action(service)
    assert client.get("/ua/UA%2061.20").status_code == 200


def test_an_unknown_action_is_a_404_page(client: TestClient, service: Service) -> None:
    add_action(service)
    for url in ("/ua/99.99", "/ua/not-a-number", "/ua/99.99/report", "/ua/99.99/reported?id=x"):
        page = client.get(url)
        assert page.status_code == 404, url
        assert page.headers["content-type"].startswith("text/html")
        assert "Not found" in page.text


def test_markup_in_an_action_is_shown_as_text_never_run(client: TestClient, service: Service) -> None:
    add_action(
        service, title="<script>alert('x')</script> & co", sample_letter='"><img src=x onerror=alert(1)>'
    )
    for url in ("/ua/61.20", "/ua/61.20/report"):
        html = client.get(url).text
        assert "<script>alert" not in html
        assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; co" in html
    assert "<img src=x" not in client.get("/ua/61.20").text


def test_after_the_deadline_the_page_says_closed_and_whether_late_reports_are_welcome(
    client: TestClient, service: Service, clock: ManualClock
) -> None:
    add_action(service)
    add_action(service, ua="62.20", late_reports_welcome=False)
    clock.advance(timedelta(days=10))
    welcome = client.get("/ua/61.20").text
    assert "This action closed at its deadline" in welcome
    assert "Late reports are still welcome" in welcome
    assert 'id="countdown"' not in welcome
    closed = client.get("/ua/62.20").text
    assert "Reports are no longer taken" in closed
    assert 'href="/ua/62.20/report"' not in closed
    assert 'id="report-form"' not in client.get("/ua/62.20/report").text


def test_a_cancelled_action_says_so(client: TestClient, service: Service) -> None:
    add_action(service)
    cancel(service, "61.20")
    html = client.get("/ua/61.20").text
    assert "This action was cancelled" in html
    assert 'id="countdown"' not in html


def cancel(service: Service, ua: str) -> None:
    with Session(service.engine) as session:
        store.cancel_action(session, store.get_action(session, ua), now=service.clock.now(), reason="test")
        session.commit()


# ------------------------------------------------------------------------------------------ reporting


def test_the_report_form_sets_an_http_only_strict_csrf_cookie(client: TestClient, service: Service) -> None:
    add_action(service)
    page = client.get("/ua/61.20/report")
    assert page.status_code == 200
    assert "Let us know the actions you took" in page.text
    assert "Social media posts" in page.text
    assert '<option value="NL">Netherlands</option>' in page.text
    assert "stored only as a salted hash" in page.text
    cookie = page.headers["set-cookie"]
    assert cookie.startswith(f"{CSRF_COOKIE}=")
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie or "SameSite=Strict" in cookie
    match = TOKEN_RE.search(page.text)
    assert match is not None
    assert client.cookies[CSRF_COOKIE] == match.group(1)


def test_a_report_is_stored_and_the_receipt_shows_it_with_the_total(
    client: TestClient, service: Service
) -> None:
    add_action(service)
    add_report(service, "61.20", call=4)
    url, form = report(client, letter="2", post="3", country="nl", supporter_email="Ann@example.org")
    response = client.post(url, data=form, follow_redirects=False)
    assert response.status_code == 303, response.text
    assert response.headers["location"].startswith("/ua/61.20/reported?id=")
    receipt = client.get(response.headers["location"])
    assert receipt.status_code == 200
    html = receipt.text
    assert "Thank you" in html
    assert re.search(r"<th>Letters \(posted\)</th><td class=\"n\">2</td>", html)
    assert re.search(r"<th>Social media posts</th><td class=\"n\">3</td>", html)
    assert '<td class="n">Netherlands</td>' in html
    assert re.search(r'<strong class="countdown">9</strong>\s*actions reported so far', html)
    assert 'id="late"' not in html
    assert stored(service) == 2
    with Session(service.engine) as session:
        row = session.exec(select(Report).where(Report.source == "web")).one()
    assert (row.letter, row.post, row.country) == (2, 3, "NL")
    assert row.supporter_hash is not None
    assert "ann" not in row.supporter_hash


def test_a_form_sent_twice_counts_once(client: TestClient, service: Service) -> None:
    add_action(service)
    url, form = report(client, letter="1")
    first = client.post(url, data=form, follow_redirects=False)
    again = client.post(url, data=form, follow_redirects=False)
    assert first.headers["location"] == again.headers["location"]
    assert stored(service) == 1


def test_a_receipt_link_cannot_be_forged(client: TestClient, service: Service) -> None:
    add_action(service)
    add_report(service, "61.20", letter=1)
    assert client.get("/ua/61.20/reported?id=1").status_code == 404


@pytest.mark.parametrize("token", [None, "forged", "wrong-but-signed"])
def test_a_report_without_the_right_csrf_token_is_refused_and_nothing_stored(
    client: TestClient, service: Service, token: str | None
) -> None:
    add_action(service)
    url, form = report(client, letter="1")
    if token is None:
        del form[CSRF_FIELD]
    elif token == "forged":
        form[CSRF_FIELD] = "forged"
    else:  # a valid token from another browser does not match this browser's cookie
        other = TestClient(client.app, base_url="http://127.0.0.1")
        form[CSRF_FIELD] = form_token(other, "/ua/61.20/report")
    response = client.post(url, data=form)
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("text/html")
    assert "reload the page" in response.text
    assert stored(service) == 0


def test_a_report_without_the_cookie_is_refused(client: TestClient, service: Service) -> None:
    add_action(service)
    url, form = report(client, letter="1")
    client.cookies.clear()
    assert client.post(url, data=form).status_code == 403
    assert stored(service) == 0


@pytest.mark.parametrize(
    ("fields", "field", "label"),
    [
        ({"letter": "-1"}, "letter", "Letters (posted)"),
        ({"fax": "two"}, "fax", "Faxes"),
        ({"call": "1.5"}, "call", "Phone calls"),
        ({"post": "100001"}, "post", "Social media posts"),
        ({"letter": "0", "email": "0"}, "counts", "Fill in at least one number"),
        (
            {"letter": "1", "country": "XX"},
            "country",
            "Country: &#39;XX&#39; is not an ISO 3166 country code",
        ),
        (
            {"letter": "1", "supporter_email": "not-an-address"},
            "supporter_email",
            "Your email: not an email address",
        ),
    ],
)
def test_invalid_input_re_shows_the_form_naming_the_field_and_stores_nothing(
    client: TestClient, service: Service, fields: dict[str, str], field: str, label: str
) -> None:
    add_action(service)
    url, form = report(client, **{"email": "2", **fields})
    response = client.post(url, data=form)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/html")
    assert f'data-field="{field}"' in response.text
    assert label in response.text
    for name, value in form.items():  # what was typed is kept
        if name in {"letter", "email", "fax", "call", "post", "supporter_email"}:
            assert re.search(rf'name="{name}"[^>]*value="{re.escape(value)}"', response.text), name
    assert stored(service) == 0


def test_a_late_report_is_stored_and_said_to_be_counted_apart(
    client: TestClient, service: Service, clock: ManualClock
) -> None:
    add_action(service)
    add_report(service, "61.20", letter=5)
    clock.advance(timedelta(days=30))
    url, form = report(client, fax="4")
    receipt = client.get(client.post(url, data=form, follow_redirects=False).headers["location"])
    assert "counted apart, as late" in receipt.text
    assert re.search(
        r'<strong class="countdown">5</strong>\s*actions reported so far, and 4\s*reported late', receipt.text
    )
    assert stored(service) == 2


def test_a_late_report_where_none_are_welcome_is_refused(
    client: TestClient, service: Service, clock: ManualClock
) -> None:
    add_action(service, late_reports_welcome=False)
    url, form = report(client, fax="4")  # the form was opened in time…
    clock.advance(timedelta(days=30))
    response = client.post(url, data=form)  # …and sent too late
    assert response.status_code == 422
    assert "This action has closed and takes no more reports" in response.text
    assert stored(service) == 0


def test_the_report_door_is_rate_limited(make_service: Callable[..., Service]) -> None:
    service = make_service(report_rate_limit="2/minute")
    add_action(service)
    with TestClient(create_app(service, scheduler=RunningScheduler()), base_url="http://127.0.0.1") as client:
        statuses = []
        for _ in range(3):
            url, form = report(client, letter="1")
            form["idempotency_key"] = ""
            statuses.append(client.post(url, data=form, follow_redirects=False).status_code)
    assert statuses == [303, 303, 429]
    assert stored(service) == 2


# ---------------------------------------------------------------------------------- personal reminders


@pytest.fixture
def mail_client(make_service: Callable[..., Service], smtp: SmtpSink) -> tuple[TestClient, Service]:
    service = make_service(
        report_rate_limit="1000/minute",
        mail_url=smtp.url(to="nobody@example.org"),
        public_url="https://actions.example.org",
    )
    return TestClient(create_app(service, scheduler=RunningScheduler()), base_url="http://127.0.0.1"), service


def remind(client: TestClient, email: str, ua: str = "61.20") -> str:
    token = form_token(client, f"/ua/{ua}")
    response = client.post(f"/ua/{ua}/remind", data={CSRF_FIELD: token, "email": email})
    assert response.status_code == 200, response.text
    return response.text


def mail_text(message: object) -> str:
    assert isinstance(message, EmailMessage)
    parts = [p.get_content() for p in message.walk() if p.get_content_type().startswith("text/")]
    return "\n".join(str(p) for p in parts)


def test_remind_me_confirm_remind_unsubscribe(
    mail_client: tuple[TestClient, Service], smtp: SmtpSink, clock: ManualClock
) -> None:
    client, service = mail_client
    add_action(service, reminders=["1d"])
    page = client.get("/ua/61.20").text
    assert 'id="remind-form"' in page

    answer = remind(client, "Supporter@Example.org")
    assert "Check your inbox" in answer
    [queued] = confirmations(service)  # written with the request; the web request sent nothing
    assert (queued.status, smtp.messages) == (OutboxStatus.PENDING, [])
    assert run_pass(service.work(), clock.now()).deliveries.sent == 1
    assert wait_for(lambda: len(smtp.messages) == 1)
    confirmation = smtp.messages[0]
    assert "supporter@example.org" in str(confirmation["To"]).lower()
    assert "UA 61.20" in str(confirmation["Subject"])
    links = re.findall(
        r"https://actions\.example\.org/remind/confirm/[A-Za-z0-9_-]+", mail_text(confirmation)
    )
    assert links
    [row] = subscriptions(service)
    assert row.confirmed_at is None

    # asking again answers the same and sends nothing new
    assert remind(client, "supporter@example.org") == answer
    assert run_pass(service.work(), clock.now()).deliveries.total() == 0
    assert len(smtp.messages) == 1
    assert len(subscriptions(service)) == 1

    confirmed = client.get(links[0].removeprefix("https://actions.example.org"))
    assert confirmed.status_code == 200
    assert "Reminders confirmed" in confirmed.text
    [row] = subscriptions(service)
    assert row.confirmed_at == clock.now()

    clock.set(datetime(2026, 5, 9, 0, 0, tzinfo=UTC))  # the 1-day reminder before the end of 9 May
    result = run_pass(service.work(), clock.now())
    assert result.reminded == ["61.20"]
    assert wait_for(lambda: len(smtp.messages) == 2)
    personal = smtp.messages[1]
    assert "supporter@example.org" in str(personal["To"]).lower()
    stop_links = re.findall(r"https://actions\.example\.org/unsubscribe/[A-Za-z0-9_-]+", mail_text(personal))
    assert stop_links
    stop = stop_links[0].removeprefix("https://actions.example.org")

    form = client.get(stop)
    assert form.status_code == 200
    assert 'id="unsubscribe-form"' in form.text
    assert subscriptions(service)  # a GET never deletes
    done = client.post(stop, data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    assert "Reminders stopped" in done.text
    assert subscriptions(service) == []
    assert client.post(stop, data={"List-Unsubscribe": "One-Click"}).status_code == 404


def confirmations(service: Service) -> list[Delivery]:
    with Session(service.engine) as session:
        return list(session.exec(select(Delivery).where(Delivery.kind == "confirm")).all())


def test_a_confirmation_that_never_arrived_goes_again_when_asked_again(
    make_service: Callable[..., Service], smtp: SmtpSink, clock: ManualClock
) -> None:
    service = make_service(
        report_rate_limit="1000/minute",
        mail_url=smtp.url(to="nobody@example.org"),
        public_url="https://actions.example.org",
        delivery_max_attempts=1,
    )
    client = TestClient(create_app(service, scheduler=RunningScheduler()), base_url="http://127.0.0.1")
    add_action(service)
    smtp.refuse("ann@example.org")
    remind(client, "ann@example.org")
    run_pass(service.work(), clock.now())
    [failed] = confirmations(service)
    assert (failed.status, failed.last_error) == (OutboxStatus.FAILED, "SMTP 550 mailbox unavailable")

    smtp.welcome("ann@example.org")
    remind(client, "ann@example.org")
    assert run_pass(service.work(), clock.now()).deliveries.sent == 1
    assert wait_for(lambda: len(smtp.messages) == 1)
    assert "UA 61.20" in str(smtp.messages[0]["Subject"])
    assert [row.key for row in confirmations(service)] == [failed.key]  # one row, sent at last


def test_one_click_unsubscribe_needs_no_csrf_token(mail_client: tuple[TestClient, Service]) -> None:
    client, service = mail_client
    add_action(service)
    remind(client, "ann@example.org")
    [row] = subscriptions(service)
    bare = TestClient(client.app, base_url="http://127.0.0.1")  # a mail client: no cookie at all
    response = bare.post(
        f"/unsubscribe/{row.token}",
        content=b"List-Unsubscribe=One-Click",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 200
    assert subscriptions(service) == []


def test_closing_the_action_forgets_every_subscriber(
    mail_client: tuple[TestClient, Service], clock: ManualClock
) -> None:
    client, service = mail_client
    add_action(service)
    remind(client, "ann@example.org")
    remind(client, "bob@example.org")
    client.get(f"/remind/confirm/{subscriptions(service)[0].token}")
    assert len(subscriptions(service)) == 2
    clock.set(datetime(2026, 5, 10, 0, 0, tzinfo=UTC))
    assert run_pass(service.work(), clock.now()).closed == ["61.20"]
    assert subscriptions(service) == []


def test_unknown_tokens_are_404_pages(client: TestClient, service: Service) -> None:
    add_action(service)
    for method, url in (
        ("GET", "/remind/confirm/nope"),
        ("GET", "/unsubscribe/nope"),
        ("POST", "/unsubscribe/nope"),
    ):
        response = client.request(method, url)
        assert response.status_code == 404, url
        assert "no longer valid" in response.text


def test_remind_me_refuses_a_bad_address_or_a_forged_form(mail_client: tuple[TestClient, Service]) -> None:
    client, service = mail_client
    add_action(service)
    token = form_token(client, "/ua/61.20")
    bad = client.post("/ua/61.20/remind", data={CSRF_FIELD: token, "email": "nope"})
    assert bad.status_code == 422
    assert "Your email: not an email address" in bad.text
    assert 'value="nope"' in bad.text
    forged = client.post("/ua/61.20/remind", data={CSRF_FIELD: "x", "email": "ann@example.org"})
    assert forged.status_code == 403
    assert subscriptions(service) == []


def test_without_a_mail_url_reminders_are_not_offered(client: TestClient, service: Service) -> None:
    add_action(service)
    assert 'id="remind-form"' not in client.get("/ua/61.20").text
    token = form_token(client, "/ua/61.20/report")  # the same cookie-bound token serves every form
    response = client.post("/ua/61.20/remind", data={CSRF_FIELD: token, "email": "ann@example.org"})
    assert response.status_code == 503
    assert "not set up" in response.text
    assert subscriptions(service) == []


def test_the_receipt_offers_reminders_too(mail_client: tuple[TestClient, Service]) -> None:
    client, service = mail_client
    add_action(service)
    url, form = report(client, call="1")
    receipt = client.get(client.post(url, data=form, follow_redirects=False).headers["location"])
    assert 'id="remind-form"' in receipt.text
    assert 'action="/ua/61.20/remind"' in receipt.text


@pytest.mark.parametrize(
    "email", ["a,b@example.org", "a;b@example.org", '"x" <b@example.org>', "b1,victim@example.org"]
)
def test_remind_me_takes_one_address_and_nothing_else(
    mail_client: tuple[TestClient, Service], email: str
) -> None:
    client, service = mail_client
    add_action(service)
    token = form_token(client, "/ua/61.20")
    refused = client.post("/ua/61.20/remind", data={CSRF_FIELD: token, "email": email})
    assert refused.status_code == 422
    assert "Your email: not an email address" in refused.text
    assert subscriptions(service) == []
    assert len(confirmations(service)) == 0


def never_arrived(service: Service) -> None:
    """Every confirmation email failed: asking again sends it again."""
    with Session(service.engine) as session:
        for row in session.exec(select(Delivery).where(Delivery.kind == "confirm")).all():
            row.status = OutboxStatus.FAILED
            session.add(row)
        session.commit()


def sent_to_address(service: Service) -> int:
    with Session(service.engine) as session:
        return int(session.exec(select(func.count()).select_from(ConfirmationSent)).one())


def test_at_most_three_confirmation_emails_per_address_and_action_a_day(
    mail_client: tuple[TestClient, Service], clock: ManualClock
) -> None:
    client, service = mail_client
    add_action(service)
    for _ in range(3):  # each ask sends the link again, as the last one never arrived
        remind(client, "Victim@Example.org")
        never_arrived(service)
    assert sent_to_address(service) == 3
    token = form_token(client, "/ua/61.20")
    refused = client.post("/ua/61.20/remind", data={CSRF_FIELD: token, "email": "victim@example.org"})
    assert refused.status_code == 422
    assert "3 confirmation emails for UA 61.20 in the last 24 hours" in refused.text
    assert sent_to_address(service) == 3
    assert {d.status for d in confirmations(service)} == {OutboxStatus.FAILED}  # nothing queued
    remind(client, "other@example.org")  # another address is not affected
    clock.set(clock.now() + timedelta(days=1, minutes=1))
    remind(client, "victim@example.org")  # a day later it may be asked again
    assert OutboxStatus.PENDING in {d.status for d in confirmations(service)}
