"""Action specs and action files: what staff give, validated before anything is written."""

from __future__ import annotations

import textwrap
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from actions.errors import InvalidInputError
from actions.specs import MAX_COUNT, ActionSpec, ReportCounts, TargetSpec, normalise_ua
from actions.structured import load_action_file


def spec(**overrides: Any) -> ActionSpec:
    values: dict[str, Any] = {"ua": "61.20", "title": "Health at risk", "deadline": "2026-05-09"}
    values.update(overrides)
    return ActionSpec.model_validate(values)


def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


# --- normalise_ua -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "ua"),
    [
        ("61.20", "61.20"),
        ("UA 61/20", "61.20"),
        ("ua: 61.20", "61.20"),
        ("UA:61.20", "61.20"),
        ("  61 / 20 ", "61.20"),
        ("219/06", "219.06"),
        ("061.20", "61.20"),
        ("1.99", "1.99"),
    ],
)
def test_normalise_ua_accepts_the_forms_staff_write(text: str, ua: str) -> None:
    assert normalise_ua(text) == ua


@pytest.mark.parametrize("text", ["abc", "", "61", "61.2", "61.200", "12345.20", "UA-61.20"])
def test_normalise_ua_refuses_what_is_not_a_ua_number_naming_it(text: str) -> None:
    with pytest.raises(ValueError, match="is not a UA number") as caught:
        normalise_ua(text)
    assert repr(text) in str(caught.value)


def test_an_action_spec_normalises_its_ua() -> None:
    assert spec(ua="UA 219/06").ua == "219.06"


def test_an_action_spec_refuses_a_bad_ua_naming_the_field() -> None:
    with pytest.raises(ValidationError) as caught:
        spec(ua="abc")
    assert caught.value.errors()[0]["loc"] == ("ua",)


# --- ActionSpec ---------------------------------------------------------------------------------


def test_tags_are_split_deduplicated_and_sorted() -> None:
    assert spec(tags="urgent, kyrgyzstan;urgent").tags == ["kyrgyzstan", "urgent"]
    assert spec(tags=["b-2", "a_1"]).tags == ["a_1", "b-2"]


@pytest.mark.parametrize("tag", ["has space", "semi:colon", "émoji🙂", "a/b"])
def test_tags_refuse_anything_but_letters_digits_dash_and_underscore(tag: str) -> None:
    with pytest.raises(ValidationError, match="is not a tag") as caught:
        spec(tags=[tag])
    assert caught.value.errors()[0]["loc"] == ("tags",)


def test_reminders_are_parsed_deduplicated_and_latest_first() -> None:
    assert spec(reminders="3d,7d,3d").reminders == [timedelta(days=7), timedelta(days=3)]
    assert spec(reminders=None).reminders is None


def test_an_action_spec_refuses_unknown_fields() -> None:
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        spec(deadlnie="2026-05-09")


def test_a_target_spec_splits_contact_lists() -> None:
    target = TargetSpec(name="Minister", emails="a@example.org; b@example.org", phones="1,2")
    assert target.emails == ["a@example.org", "b@example.org"]
    assert target.phones == ["1", "2"]


# --- ReportCounts -------------------------------------------------------------------------------


def test_report_counts_total_every_kind() -> None:
    counts = ReportCounts(letter=1, email=2, fax=3, call=4, post=5, other=6)
    assert counts.total() == 21
    assert ReportCounts().total() == 0


def test_report_counts_accept_the_bounds() -> None:
    assert ReportCounts(letter=MAX_COUNT).letter == MAX_COUNT
    assert ReportCounts(letter=0).letter == 0


@pytest.mark.parametrize("kind", ["letter", "email", "fax", "call", "post", "other"])
def test_report_counts_refuse_a_negative_count(kind: str) -> None:
    with pytest.raises(ValidationError) as caught:
        ReportCounts.model_validate({kind: -1})
    assert caught.value.errors()[0]["loc"] == (kind,)


@pytest.mark.parametrize("kind", ["letter", "email", "fax", "call", "post", "other"])
def test_report_counts_refuse_more_than_max_count(kind: str) -> None:
    with pytest.raises(ValidationError) as caught:
        ReportCounts.model_validate({kind: MAX_COUNT + 1})
    assert caught.value.errors()[0]["loc"] == (kind,)


def test_report_counts_refuse_an_unknown_kind() -> None:
    with pytest.raises(ValidationError):
        ReportCounts.model_validate({"pigeons": 1})


# --- load_action_file ---------------------------------------------------------------------------


def test_a_valid_toml_action_file_loads(tmp_path: Path) -> None:
    path = write(
        tmp_path / "action.toml",
        """
        ua = "UA 61/20"
        title = "Health of prisoner of conscience at risk"
        deadline = "2026-05-09"
        timezone = "Asia/Bishkek"
        tags = ["urgent", "kyrgyzstan"]
        reminders = ["1d", "7d"]

        [[targets]]
        name = "Bolot Otunbaev"
        emails = ["embassy@example.org"]
        social = { facebook = "@kgembassyusa" }
        """,
    )
    action = load_action_file(path)
    assert action.ua == "61.20"
    assert action.title == "Health of prisoner of conscience at risk"
    assert action.deadline == "2026-05-09"
    assert action.timezone == "Asia/Bishkek"
    assert action.tags == ["kyrgyzstan", "urgent"]
    assert action.reminders == [timedelta(days=7), timedelta(days=1)]
    assert [t.name for t in action.targets] == ["Bolot Otunbaev"]
    assert action.targets[0].emails == ["embassy@example.org"]
    assert action.targets[0].social == {"facebook": "@kgembassyusa"}


@pytest.mark.parametrize("suffix", [".yaml", ".yml", ".YAML"])
def test_a_valid_yaml_action_file_loads(tmp_path: Path, suffix: str) -> None:
    path = write(
        tmp_path / f"action{suffix}",
        """
        ua: UA 219/06
        title: Release human rights defender
        deadline: 2026-05-09
        late_reports_welcome: false
        targets:
          - name: Minister of Justice
            salutation: Dear Minister
            emails: [minister@example.org]
            faxes: "+1 555 0100; +1 555 0101"
        """,
    )
    action = load_action_file(path)
    assert action.ua == "219.06"
    assert action.deadline == date(2026, 5, 9)
    assert action.late_reports_welcome is False
    assert action.targets[0].salutation == "Dear Minister"
    assert action.targets[0].faxes == ["+1 555 0100", "+1 555 0101"]


def test_a_wrong_field_deep_in_the_targets_names_file_line_and_field_path(tmp_path: Path) -> None:
    path = write(
        tmp_path / "action.yaml",
        """
        ua: "61.20"
        title: Health at risk
        deadline: 2026-05-09
        targets:
          - name: Ambassador
            emails: [a@example.org]
          - name: Minister
            emails:
              nested: wrong
        """,
    )
    with pytest.raises(InvalidInputError) as caught:
        load_action_file(path)
    error = caught.value
    assert error.field == "targets.1.emails"
    assert error.source == f"{path}:8"
    assert str(error).startswith(f"{path}:8: targets.1.emails: ")


def test_an_unknown_field_in_a_target_names_file_line_and_field_path(tmp_path: Path) -> None:
    path = write(
        tmp_path / "action.yaml",
        """
        ua: "61.20"
        title: Health at risk
        deadline: 2026-05-09
        targets:
          - name: Ambassador
            fax: "123"
        """,
    )
    with pytest.raises(InvalidInputError, match="unknown field") as caught:
        load_action_file(path)
    assert caught.value.field == "targets.0.fax"
    assert caught.value.source == f"{path}:6"


def test_a_wrong_value_in_a_toml_file_names_the_line_and_field(tmp_path: Path) -> None:
    path = write(
        tmp_path / "action.toml",
        """
        ua = "61.20"
        title = "Health at risk"
        deadline = "2026-05-09"
        reminders = ["7d", "0s"]
        """,
    )
    with pytest.raises(InvalidInputError, match="not a positive duration") as caught:
        load_action_file(path)
    assert caught.value.field == "reminders"
    assert caught.value.source == f"{path}:4"


def test_several_problems_are_counted_in_the_message(tmp_path: Path) -> None:
    path = write(tmp_path / "action.yaml", "ua: abc\ntitle: ''\n")
    with pytest.raises(InvalidInputError, match=r"and 2 more problems"):
        load_action_file(path)


@pytest.mark.parametrize("name", ["action.json", "action.txt", "action"])
def test_a_file_with_another_suffix_is_refused(tmp_path: Path, name: str) -> None:
    path = write(tmp_path / name, '{"ua": "61.20"}\n')
    with pytest.raises(InvalidInputError, match=r"use \.toml, \.yaml or \.yml") as caught:
        load_action_file(path)
    assert caught.value.field == "file"
    assert caught.value.source == str(path)


def test_invalid_yaml_syntax_is_refused_with_its_line(tmp_path: Path) -> None:
    path = write(
        tmp_path / "action.yaml",
        """
        ua: "61.20"
        title: Health: at risk
        deadline: 2026-05-09
        """,
    )
    with pytest.raises(InvalidInputError, match="not valid YAML") as caught:
        load_action_file(path)
    assert caught.value.field == "file"
    assert caught.value.source == f"{path}:2"


def test_invalid_yaml_indentation_is_refused_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path / "action.yaml", 'ua: "61.20"\ntitle: Health\n  deadline: x\n')
    with pytest.raises(InvalidInputError, match="not valid YAML") as caught:
        load_action_file(path)
    assert caught.value.source == f"{path}:3"


def test_invalid_toml_is_refused_naming_the_file(tmp_path: Path) -> None:
    path = write(tmp_path / "action.toml", 'ua = "61.20\n')
    with pytest.raises(InvalidInputError, match="not valid TOML") as caught:
        load_action_file(path)
    assert caught.value.source == str(path)


def test_a_file_that_is_not_a_table_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "action.yaml", "- just\n- a list\n")
    with pytest.raises(InvalidInputError, match="expected a table"):
        load_action_file(path)


def test_a_missing_file_is_refused_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "missing.yaml"
    with pytest.raises(InvalidInputError, match="cannot read it") as caught:
        load_action_file(path)
    assert caught.value.source == str(path)
