"""A channel URL apprise cannot read is refused in one masked line; its secrets appear nowhere."""

from __future__ import annotations

import subprocess
from pathlib import Path

import httpx
import pytest

from tests.support.daemon import daemon_config, running_daemon
from tests.support.processes import EXE, command

BAD_URLS = {
    "notascheme://SECRET@host": ("notascheme://****", ("SECRET",)),
    "slack://SECRETA/SECRETB": ("slack://****", ("SECRETA", "SECRETB")),
}


@pytest.mark.parametrize("fmt", ["json", "console"])
@pytest.mark.parametrize("url", list(BAD_URLS))
def test_the_cli_refuses_an_unreadable_url_in_one_masked_line(tmp_path: Path, url: str, fmt: str) -> None:
    config = daemon_config(tmp_path, f"sqlite:///{tmp_path}/ua.db")
    done = subprocess.run(
        [str(EXE), "--config", str(config), "--log-format", fmt, "channels", "add", "bad", url],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    masked, secrets = BAD_URLS[url]
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(f"ua-scheduler: error: {masked}: apprise cannot use this URL")
    for secret in secrets:
        assert secret not in done.stdout + done.stderr
    assert command(config, "channels", "list", "--json").strip() == "[]"


def test_the_daemon_refuses_unreadable_urls_and_never_logs_their_secrets(tmp_path: Path) -> None:
    channels = tmp_path / "channels.yaml"
    channels.write_text(
        "urls:\n"
        "  - json://127.0.0.1:9/hook:\n      tag: reminders\n"
        "  - notascheme://FILESECRET@host:\n      tag: reminders\n"
    )
    config = daemon_config(
        tmp_path, f"sqlite:///{tmp_path}/ua.db", 'channels_file = "channels.yaml"\nlog_level = "debug"\n'
    )
    token = command(config, "tokens", "create", "alice").strip()
    with running_daemon(config) as daemon:
        answers = []
        for name, url in enumerate(BAD_URLS):
            answer = httpx.post(
                f"{daemon.base}/api/v1/channels",
                json={"name": f"bad{name}", "url": url, "tags": ["reminders"]},
                headers={"Authorization": f"Bearer {token}"},
            )
            assert answer.status_code == 422, answer.text
            masked, _ = BAD_URLS[url]
            assert answer.json()["error"]["field"] == "url"
            assert answer.json()["error"]["message"].startswith(f"{masked}: apprise cannot use this URL")
            answers.append(answer.text)
        listed = httpx.get(f"{daemon.base}/api/v1/channels", headers={"Authorization": f"Bearer {token}"})
        assert [c["name"] for c in listed.json()] == ["channels.yaml#1"]
    logs = daemon.logs()
    assert "channels_file.apprise_said" in logs
    for secret in ("SECRET", "SECRETA", "SECRETB", "FILESECRET"):
        assert secret not in logs
        assert all(secret not in text for text in answers)
