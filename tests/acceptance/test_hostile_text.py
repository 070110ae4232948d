"""Text people wrote (titles, subjects, target names) reaches terminals, calendars, spreadsheets and
email as text: no control characters, no live formula, no HTML tag."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from tests.support.daemon import daemon_config, running_daemon
from tests.support.processes import command
from tests.support.sinks import SmtpSink, wait_for

TITLE = r"<script>alert(1)</script> Health\u001b[31m at\u0007 risk"
SUBJECT = '<img src=\\"x\\" onerror=\\"alert(1)\\">'
FORMULA = '=HYPERLINK(\\"http://x/\\",\\"y\\")'
CONTROLS = ("\x1b", "\x07")


def test_hostile_text_is_made_harmless_on_every_way_out(tmp_path: Path, smtp: SmtpSink) -> None:
    (tmp_path / "channels.yaml").write_text(f'urls:\n  - "{smtp.url()}":\n      tag: coordinators\n')
    config = daemon_config(tmp_path, f"sqlite:///{tmp_path}/ua.db", 'channels_file = "channels.yaml"\n')
    deadline = (datetime.now(UTC) + timedelta(days=3)).date().isoformat()
    action = tmp_path / "hostile.toml"
    action.write_text(
        f'ua = "61.20"\ntitle = "{TITLE}"\nsubject = "{SUBJECT}"\ndeadline = {deadline}\n'
        f'[[targets]]\nname = "{FORMULA}"\nsalutation = "Dear\\u001b[2J Sir"\n'
    )
    command(config, "actions", "import", str(action))

    shown = command(config, "actions", "show", "61.20")
    assert "UA 61.20: <script>alert(1)</script> Health[31m at risk [open]" in shown
    assert not any(c in shown + command(config, "actions", "show", "61.20", "--json") for c in CONTROLS)

    token = command(config, "tokens", "create", "alice").strip()
    with running_daemon(config) as daemon:
        reported = httpx.post(
            f"{daemon.base}/api/v1/actions/61.20/reports",
            json={"counts": {"letter": 2}, "target": '=HYPERLINK("http://x/","y")'},
        )
        assert reported.status_code == 201, reported.text
        calendar = httpx.get(f"{daemon.base}/calendar.ics").text
        assert "Health[31m at risk" in calendar
        assert not any(c in calendar for c in CONTROLS)

        csv_out = command(config, "tally", "61.20", "--format", "csv")
        assert '61.20,target,"\'=HYPERLINK(""http://x/"",""y"")",2' in csv_out.splitlines()

        command(config, "actions", "close", "61.20")
        assert wait_for(lambda: len(smtp.messages) == 1, timeout_s=60), daemon.logs()
        staff = {"Authorization": f"Bearer {token}"}
        api_csv = httpx.get(f"{daemon.base}/api/v1/actions/61.20/tally?format=csv", headers=staff).text
        assert "\n61.20,target,\"'=HYPERLINK(" in api_csv

    (mail,) = smtp.messages
    html = next(part for part in mail.walk() if part.get_content_type() == "text/html").get_content()
    for tag in ("<script", "<img"):
        assert tag not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert not any(c in html for c in CONTROLS)
    attached = next(part for part in mail.iter_attachments() if part.get_content_type() == "text/csv")
    rows = attached.get_content().splitlines()
    assert '61.20,target,"\'=HYPERLINK(""http://x/"",""y"")",2' in rows
    assert not any(row.split(",", 2)[2].startswith(("=", "+", "-", "@")) for row in rows[1:])
