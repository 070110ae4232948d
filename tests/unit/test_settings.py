"""Settings: defaults, then the TOML file, then ``UA_SCHEDULER_<KEY>`` environment variables.

The autouse fixture in tests/conftest.py clears ``UA_SCHEDULER_*`` and chdirs into ``tmp_path``.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from config.errors import SettingsError
from config.settings import Settings, load_settings


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_apply_without_file_or_environment() -> None:
    settings = load_settings()
    assert settings == Settings()
    assert settings.database_url == "sqlite:///ua-scheduler.db"
    assert settings.timezone == "UTC"
    assert settings.reminders == (
        timedelta(days=7),
        timedelta(days=3),
        timedelta(days=1),
        timedelta(hours=3),
    )
    assert settings.lead_times == {"letter": timedelta(days=7)}
    assert settings.channels_file is None
    assert settings.public_url == "http://127.0.0.1:8080"
    assert settings.poll_interval == timedelta(seconds=2)


def test_a_toml_file_given_explicitly_is_read(tmp_path: Path) -> None:
    path = write(
        tmp_path / "conf" / "settings.toml",
        'timezone = "Europe/Amsterdam"\n'
        'reminders = ["1d", "7d"]\n'
        'public_url = "https://ua.example.org/"\n'
        "poll_interval = 10\n"
        "[lead_times]\n"
        'letter = "10d"\n'
        'fax = "1h"\n',
    )
    settings = load_settings(path)
    assert settings.timezone == "Europe/Amsterdam"
    assert settings.reminders == (timedelta(days=7), timedelta(days=1))
    assert settings.public_url == "https://ua.example.org"
    assert settings.poll_interval == timedelta(seconds=10)
    assert settings.lead_times == {"letter": timedelta(days=10), "fax": timedelta(hours=1)}


def test_the_config_environment_variable_names_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path / "elsewhere" / "ua.toml", 'timezone = "Asia/Bishkek"\n')
    monkeypatch.setenv("UA_SCHEDULER_CONFIG", str(path))
    assert load_settings().timezone == "Asia/Bishkek"


def test_an_explicit_path_wins_over_the_config_environment_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    explicit = write(tmp_path / "a.toml", 'timezone = "Asia/Bishkek"\n')
    from_env = write(tmp_path / "b.toml", 'timezone = "Europe/Amsterdam"\n')
    monkeypatch.setenv("UA_SCHEDULER_CONFIG", str(from_env))
    assert load_settings(explicit).timezone == "Asia/Bishkek"


def test_ua_scheduler_toml_in_the_working_directory_is_picked_up(tmp_path: Path) -> None:
    write(tmp_path / "ua-scheduler.toml", 'timezone = "Asia/Bishkek"\n')
    assert Path.cwd().resolve() == tmp_path.resolve()
    assert load_settings().timezone == "Asia/Bishkek"


def test_ua_scheduler_toml_elsewhere_is_not_picked_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path / "ua-scheduler.toml", 'timezone = "Asia/Bishkek"\n')
    other = tmp_path / "other"
    other.mkdir()
    monkeypatch.chdir(other)
    assert load_settings().timezone == "UTC"


def test_the_environment_overrides_the_toml_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path / "ua.toml", 'timezone = "Asia/Bishkek"\nreport_tag = "from-file"\n')
    monkeypatch.setenv("UA_SCHEDULER_TIMEZONE", "Europe/Amsterdam")
    settings = load_settings(path)
    assert settings.timezone == "Europe/Amsterdam"
    assert settings.report_tag == "from-file"


def test_reminders_from_the_environment_as_comma_separated_offsets(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("UA_SCHEDULER_REMINDERS", "3d, 7d")
    assert load_settings().reminders == (timedelta(days=7), timedelta(days=3))


def test_reminders_from_the_environment_as_a_json_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UA_SCHEDULER_REMINDERS", '["1h", "2d", "1h"]')
    assert load_settings().reminders == (timedelta(days=2), timedelta(hours=1))


def test_reminder_offsets_accept_seconds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UA_SCHEDULER_REMINDERS", "5s")
    assert load_settings().reminders == (timedelta(seconds=5),)


def test_lead_times_from_the_environment_as_kind_equals_duration(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("UA_SCHEDULER_LEAD_TIMES", "letter=7d,fax=1h")
    assert load_settings().lead_times == {"letter": timedelta(days=7), "fax": timedelta(hours=1)}


def test_lead_times_from_the_environment_as_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UA_SCHEDULER_LEAD_TIMES", '{"post": "2d"}')
    assert load_settings().lead_times == {"post": timedelta(days=2)}


def test_lead_times_refuse_an_unknown_kind(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UA_SCHEDULER_LEAD_TIMES", "pigeon=3d")
    with pytest.raises(SettingsError, match="pigeon") as caught:
        load_settings()
    assert "'lead_times'" in str(caught.value)
    assert "UA_SCHEDULER_LEAD_TIMES" in str(caught.value)


def test_unknown_ua_scheduler_environment_variables_are_ignored(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("UA_SCHEDULER_NO_SUCH_SETTING", "whatever")
    monkeypatch.setenv("UA_SCHEDULER_TEST_POSTGRES_URL", "postgresql://x@y/z")
    assert load_settings() == Settings()


def test_an_unknown_key_in_the_toml_file_is_an_error_naming_the_key(tmp_path: Path) -> None:
    path = write(tmp_path / "ua.toml", 'timezone = "UTC"\nremindres = ["7d"]\n')
    with pytest.raises(SettingsError, match="unknown setting") as caught:
        load_settings(path)
    assert "'remindres'" in str(caught.value)
    assert str(path) in str(caught.value)


def test_an_invalid_timezone_in_the_environment_names_the_key_and_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("UA_SCHEDULER_TIMEZONE", "Mars/Olympus")
    with pytest.raises(SettingsError) as caught:
        load_settings()
    message = str(caught.value)
    assert "'timezone'" in message
    assert "environment variable UA_SCHEDULER_TIMEZONE" in message
    assert "Mars/Olympus" in message


def test_an_invalid_timezone_in_the_file_names_the_key_and_the_file(tmp_path: Path) -> None:
    path = write(tmp_path / "ua.toml", 'timezone = "Mars/Olympus"\n')
    with pytest.raises(SettingsError) as caught:
        load_settings(path)
    message = str(caught.value)
    assert "'timezone'" in message
    assert str(path) in message
    assert "Mars/Olympus" in message


def test_invalid_reminders_in_the_environment_name_the_key_and_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("UA_SCHEDULER_REMINDERS", "7d,7x")
    with pytest.raises(SettingsError) as caught:
        load_settings()
    message = str(caught.value)
    assert "'reminders'" in message
    assert "environment variable UA_SCHEDULER_REMINDERS" in message
    assert "'7x'" in message


def test_invalid_reminders_in_the_file_name_the_key_and_the_file(tmp_path: Path) -> None:
    path = write(tmp_path / "ua.toml", 'reminders = ["7d", "0s"]\n')
    with pytest.raises(SettingsError) as caught:
        load_settings(path)
    message = str(caught.value)
    assert "'reminders'" in message
    assert str(path) in message
    assert "not a positive duration" in message


def test_reminders_given_as_json_that_does_not_parse_are_a_settings_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("UA_SCHEDULER_REMINDERS", '["7d"')
    with pytest.raises(SettingsError, match="UA_SCHEDULER_REMINDERS"):
        load_settings()


def test_an_absurd_reminder_offset_is_a_settings_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UA_SCHEDULER_REMINDERS", "9999999999d")
    with pytest.raises(SettingsError, match="UA_SCHEDULER_REMINDERS"):
        load_settings()


def test_a_missing_explicit_config_file_is_an_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    with pytest.raises(SettingsError, match="config file not found") as caught:
        load_settings(missing)
    assert str(missing) in str(caught.value)


def test_a_missing_file_named_by_the_config_variable_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("UA_SCHEDULER_CONFIG", str(tmp_path / "nope.toml"))
    with pytest.raises(SettingsError, match="config file not found"):
        load_settings()


def test_a_file_that_is_not_toml_is_an_error_naming_the_file(tmp_path: Path) -> None:
    path = write(tmp_path / "ua.toml", "timezone = \n")
    with pytest.raises(SettingsError, match="not valid TOML") as caught:
        load_settings(path)
    assert str(path) in str(caught.value)


def test_a_relative_channels_file_resolves_relative_to_the_config_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path / "etc" / "ua.toml", 'channels_file = "channels.yaml"\n')
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    settings = load_settings(path)
    assert settings.channels_file is not None
    assert settings.channels_file.resolve() == (tmp_path / "etc" / "channels.yaml").resolve()


def test_a_relative_channels_file_in_a_relative_config_path_points_next_to_the_file(
    tmp_path: Path,
) -> None:
    write(tmp_path / "etc" / "ua.toml", 'channels_file = "channels.yaml"\n')
    settings = load_settings(Path("etc/ua.toml"))
    assert settings.channels_file is not None
    assert settings.channels_file.resolve() == (tmp_path / "etc" / "channels.yaml").resolve()


def test_an_absolute_channels_file_is_kept_as_is(tmp_path: Path) -> None:
    target = tmp_path / "shared" / "channels.yaml"
    path = write(tmp_path / "etc" / "ua.toml", f'channels_file = "{target.as_posix()}"\n')
    assert load_settings(path).channels_file == target


def test_describe_hides_the_database_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "UA_SCHEDULER_DATABASE_URL", "postgresql+psycopg://ua:Sup3rS3cret@db.example.org:5432/ua"
    )
    shown = load_settings().describe()
    assert "Sup3rS3cret" not in str(shown)
    assert shown["database_url"].startswith("postgresql+psycopg://ua:")
    assert "db.example.org:5432/ua" in shown["database_url"]


def test_describe_shows_durations_in_compact_form(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UA_SCHEDULER_REMINDERS", "1d12h,5s")
    monkeypatch.setenv("UA_SCHEDULER_LEAD_TIMES", "fax=1h")
    shown = load_settings().describe()
    assert shown["reminders"] == ["1d12h", "5s"]
    assert shown["lead_times"] == {"fax": "1h"}
    assert shown["poll_interval"] == "2s"
    assert shown["channels_file"] is None


def test_trusted_proxies_and_the_rate_limit_storage_are_checked_and_shown_without_password(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert Settings().trusted_proxies == ()
    assert Settings().rate_limit_storage == "memory://"
    assert Settings().report_review_above == 50
    monkeypatch.setenv("UA_SCHEDULER_TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/8")
    monkeypatch.setenv("UA_SCHEDULER_RATE_LIMIT_STORAGE", "redis://:hunter2@127.0.0.1:6379/0")
    settings = load_settings()
    assert settings.trusted_proxies == ("127.0.0.1/32", "10.0.0.0/8")
    shown = settings.describe()
    assert shown["rate_limit_storage"] == "redis://:****@127.0.0.1:6379/0"
    assert "hunter2" not in str(shown)
    monkeypatch.setenv("UA_SCHEDULER_TRUSTED_PROXIES", "proxy.example.org")
    with pytest.raises(SettingsError, match=r"trusted_proxies.*not an IP address"):
        load_settings()
    monkeypatch.delenv("UA_SCHEDULER_TRUSTED_PROXIES")
    monkeypatch.setenv("UA_SCHEDULER_RATE_LIMIT_STORAGE", "ftp://:hunter2@x")
    with pytest.raises(SettingsError, match="rate_limit_storage") as refused:
        load_settings()
    assert "hunter2" not in str(refused.value)


def test_the_default_settings_load_without_the_rate_limit_library() -> None:
    """Every command loads the settings: the default rate is not parsed at each start."""
    program = "import sys\nfrom config.settings import Settings\nSettings()\nprint('limits' in sys.modules)\n"
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_a_rate_limit_that_is_set_is_still_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UA_SCHEDULER_REPORT_RATE_LIMIT", "often")
    with pytest.raises(SettingsError, match="report_rate_limit"):
        load_settings()
