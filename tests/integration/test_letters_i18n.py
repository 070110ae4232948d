"""Letters and titles in the officials' language, through the real command and the staff API."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from fastapi.testclient import TestClient
from sqlmodel import Session

from scheduler.app import tokens
from scheduler.http.app import create_app
from scheduler.service import Service
from tests.integration.http.conftest import RunningScheduler
from tests.support.processes import EXE, command

DATA = Path(__file__).parent.parent / "data" / "ua"
LATIN = re.compile(r"[A-Za-z]")


def config_for(tmp_path: Path, database_url: str) -> Path:
    path = tmp_path / "ua-scheduler.toml"
    path.write_text(f'database_url = "{database_url}"\nlog_format = "json"\n')
    return path


def salutations(letters: str) -> list[str]:
    """The line each letter opens with after its heading: the one ending in "!" or ","."""
    found = []
    for letter in letters.split("\f"):
        lines = [line.strip() for line in letter.strip().splitlines() if line.strip()]
        found.append(next(line for line in lines[3:] if line.endswith(("!", ",", ":"))))
    return found


def test_the_russian_letter_for_ua_61_20_opens_with_a_russian_salutation(
    tmp_path: Path, database_url: str
) -> None:
    config = config_for(tmp_path, database_url)
    command(config, "actions", "import", str(DATA / "ua-61.20.txt"))
    letters = command(config, "tally", "61.20", "--format", "letter", "--language", "ru")
    opened = salutations(letters)
    assert opened == ["Уважаемый господин Президент!", "Ваше Превосходительство!"]
    assert not any(LATIN.search(line) for line in opened)
    english = salutations(command(config, "tally", "61.20", "--format", "letter", "--language", "en"))
    assert english == ["Dear President,", "Dear Ambassador,"]
    german = salutations(command(config, "tally", "61.20", "--format", "letter", "--language", "de"))
    assert german == ["Sehr geehrte Frau Präsidentin, sehr geehrter Herr Präsident,", "Exzellenz,"]


def test_titles_and_salutations_per_language_from_an_action_file(tmp_path: Path, database_url: str) -> None:
    config = config_for(tmp_path, database_url)
    action = tmp_path / "action.yaml"
    action.write_text(
        'ua: "61.20"\n'
        "title: Health of prisoner of conscience at risk\n"
        "title_i18n: {ru: Здоровье узника совести под угрозой}\n"
        'deadline: "2026-06-03"\n'
        "targets:\n"
        "  - name: Bolot Otunbaev\n"
        "    title: Special Envoy\n"
        "    salutation: Dear Envoy\n"
        "    salutations: {ru: Уважаемый господин Посланник}\n"
        "  - name: A Clerk\n"
        "    title: Head of Registry\n"
    )
    command(config, "actions", "import", str(action))
    letters = command(config, "tally", "61.20", "--format", "letter", "--language", "ru")
    assert "Срочная акция 61.20: Здоровье узника совести под угрозой" in letters
    assert salutations(letters) == ["Уважаемый господин Посланник!", "Уважаемые господа!"]
    french = command(config, "tally", "61.20", "--format", "letter", "--language", "fr")
    assert salutations(french) == ["Madame, Monsieur,", "Madame, Monsieur,"]  # the neutral formal greeting
    assert "Action urgente 61.20 : Health of prisoner of conscience at risk" in french
    bad = tmp_path / "bad.yaml"
    bad.write_text(action.read_text().replace("{ru: Здоровье", "{xx-nope: Здоровье"))
    done = subprocess.run(
        [str(EXE), "--config", str(config), "actions", "import", str(bad)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert "title_i18n" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_the_staff_api_takes_titles_salutations_and_channel_options(make_service: object) -> None:
    service: Service = make_service()  # type: ignore[operator]
    with Session(service.engine) as session:
        token = tokens.create(session, "staff", now=service.clock.now())
        session.commit()
    app = create_app(service, scheduler=RunningScheduler())
    with TestClient(app, base_url="http://127.0.0.1") as client:
        client.headers["Authorization"] = f"Bearer {token}"
        created = client.post(
            "/api/v1/actions",
            json={
                "ua": "61.20",
                "title": "Health at risk",
                "title_i18n": {"ru": "Здоровье под угрозой"},
                "deadline": "2026-06-03",
                "targets": [
                    {
                        "name": "B. Otunbaev",
                        "title": "Ambassador",
                        "salutations": {"ru": "Ваше Превосходительство"},
                    }
                ],
            },
        )
        assert created.status_code == 201, created.text
        shown = client.get("/api/v1/actions/61.20").json()
        assert shown["title_i18n"] == {"ru": "Здоровье под угрозой"}
        assert shown["targets"][0]["salutations"] == {"ru": "Ваше Превосходительство"}
        letter = client.get("/api/v1/actions/61.20/tally", params={"format": "letter", "language": "ru"})
        assert "Ваше Превосходительство!" in letter.text

        added = client.post(
            "/api/v1/channels",
            json={
                "name": "berlin",
                "url": "json://127.0.0.1:9/x",
                "tags": ["reminders"],
                "digest": "daily@09:00",
                "quiet_hours": "22:00-08:00",
                "language": "de",
                "timezone": "Europe/Berlin",
            },
        )
        assert added.status_code == 201, added.text
        listed = client.get("/api/v1/channels").json()
        assert [(c["digest"], c["quiet_hours"], c["language"], c["timezone"]) for c in listed] == [
            ("daily@09:00", "22:00-08:00", "de", "Europe/Berlin")
        ]
        bad = client.post(
            "/api/v1/channels", json={"name": "x", "url": "json://127.0.0.1:9/y", "quiet_hours": "all night"}
        )
        assert bad.status_code == 422
        assert bad.json()["error"]["field"] == "quiet_hours"
