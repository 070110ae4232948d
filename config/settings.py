"""Typed settings: defaults, then the TOML file, then ``UA_SCHEDULER_<KEY>`` environment variables."""

from __future__ import annotations

import ipaddress
import json
import os
import tomllib
from collections.abc import Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, PydanticBaseSettingsSource, SettingsConfigDict
from sqlalchemy.engine import make_url

from config.durations import format_duration, parse_duration
from config.errors import SettingsError
from config.names import checked
from config.validation import problem_of

ENV_PREFIX = "UA_SCHEDULER_"
CONFIG_ENV = f"{ENV_PREFIX}CONFIG"
SECRETS_DIR_ENV = f"{ENV_PREFIX}SECRETS_DIR"
DEFAULT_CONFIG_FILE = Path("ua-scheduler.toml")
RATE_LIMIT_SCHEMES = frozenset(
    {"memory", "redis", "rediss", "redis+unix", "redis+cluster", "redis+sentinel", "valkey", "valkeys"}
    | {"valkey+unix", "valkey+cluster", "valkey+sentinel", "memcached", "mongodb", "mongodb+srv"}
)
"""The ``limits`` library's (synchronous) storages."""
ACTION_KINDS = ("letter", "email", "fax", "call", "post", "other")


def _split_list(value: object) -> object:
    """Environment variables give lists as JSON (``["7d","3d"]``) or comma-separated (``7d,3d``)."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            return json.loads(text)
        return [part.strip() for part in text.split(",") if part.strip()]
    return value


def _listed(value: object, example: str) -> list[object] | tuple[object, ...]:
    """A list setting as given, or the error that shows what one looks like."""
    items = _split_list(value)
    if not isinstance(items, list | tuple):
        raise ValueError(f"give a list of {example}")  # noqa: TRY004  (pydantic reports ValueError)
    return items


def _split_mapping(value: object) -> object:
    """Mappings from the environment: JSON (``{"letter": "7d"}``) or ``letter=7d,fax=1h``."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("{"):
            return json.loads(text)
        pairs = [part.split("=", 1) for part in text.split(",") if part.strip()]
        if any(len(pair) != 2 for pair in pairs):
            raise ValueError("use kind=duration pairs separated by commas, such as 'letter=7d,fax=1h'")
        return {k.strip(): v.strip() for k, v in pairs}
    return value


def _to_duration(value: object) -> object:
    if isinstance(value, str):
        return parse_duration(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return timedelta(seconds=value)
    return value


class Settings(BaseSettings):
    """Everything an operator can set. Keys are stable: scripts and config files depend on them."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        extra="forbid",
        frozen=True,
        secrets_dir=None,
    )

    database_url: str = "sqlite:///ua-scheduler.db"
    timezone: str = "UTC"
    reminders: Annotated[tuple[timedelta, ...], NoDecode] = (
        timedelta(days=7),
        timedelta(days=3),
        timedelta(days=1),
        timedelta(hours=3),
    )
    lead_times: Annotated[dict[str, timedelta], NoDecode] = Field(
        default_factory=lambda: {"letter": timedelta(days=7)}
    )
    channels_file: Path | None = None
    public_url: str = "http://127.0.0.1:8080"
    reminder_tag: str = "reminders"
    report_tag: str = "coordinators"
    poll_interval: Annotated[timedelta, NoDecode] = timedelta(seconds=2)
    delivery_max_attempts: int = Field(default=8, ge=1, le=100)
    delivery_backoff: Annotated[timedelta, NoDecode] = timedelta(seconds=10)
    delivery_backoff_max: Annotated[timedelta, NoDecode] = timedelta(hours=1)
    delivery_lease: Annotated[timedelta, NoDecode] = timedelta(seconds=60)
    delivery_concurrency: int = Field(default=16, ge=1, le=256)
    mail_connections: int = Field(default=4, ge=1, le=64)
    """SMTP connections open at once to one mail server: servers cap a client's connections, and
    on one server more of them contend rather than send faster."""
    prepare_ahead: Annotated[timedelta, NoDecode] = timedelta(minutes=1)
    deadline_margin: Annotated[timedelta, NoDecode] = timedelta(seconds=1)
    ops_tag: str = "ops"
    ops_alert_after: int = Field(default=3, ge=1, le=1000)
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8080, ge=1, le=65535)
    secret_key: SecretStr | None = None
    mail_url: SecretStr | None = None
    report_rate_limit: str = Field(default="30/minute", validate_default=False)  # no rate parser at start
    report_review_above: int = Field(default=50, ge=1, le=100_000)
    """A report from the public door claiming more than this of any kind is held for review."""
    trusted_proxies: Annotated[tuple[str, ...], NoDecode] = ()
    """Addresses or networks of reverse proxies whose X-Forwarded-For/-Proto headers are believed."""
    rate_limit_storage: str = "memory://"
    """Where the rate limits count: ``memory://`` (one process) or a ``redis://`` URL shared by
    several instances (any storage of the ``limits`` library)."""
    max_body_bytes: int = Field(default=16_384, ge=1_024, le=10_485_760)
    import_max_bytes: int = Field(default=5_000_000, ge=1_024, le=1_000_000_000)
    dates_not_before: date = date(1990, 1, 1)
    dates_years_ahead: int = Field(default=10, ge=1, le=100)
    log_format: Literal["auto", "json", "console"] = "auto"
    log_level: Literal["debug", "info", "warning", "error"] = "info"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The TOML file's values come in as init arguments; secret files and the environment win.
        return (env_settings, file_secret_settings, init_settings)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not a time zone name such as 'Europe/Amsterdam'") from None
        return value

    @field_validator("reminders", mode="before")
    @classmethod
    def _parse_reminders(cls, value: object) -> object:
        items = _listed(value, "offsets such as ['7d', '3d', '1d', '3h']")
        offsets = {item if isinstance(item, timedelta) else parse_duration(str(item)) for item in items}
        return tuple(sorted(offsets, reverse=True))

    @field_validator("lead_times", mode="before")
    @classmethod
    def _parse_lead_times(cls, value: object) -> object:
        mapping = _split_mapping(value)
        if not isinstance(mapping, Mapping):
            raise ValueError("give a table of kind = duration, such as {letter = '7d'}")  # noqa: TRY004
        unknown = sorted(set(mapping) - set(ACTION_KINDS))
        if unknown:
            raise ValueError(f"unknown kind {unknown[0]!r}: use one of {', '.join(ACTION_KINDS)}")
        return {str(k): _to_duration(v) for k, v in mapping.items()}

    @field_validator(
        "poll_interval",
        "delivery_backoff",
        "delivery_backoff_max",
        "delivery_lease",
        "prepare_ahead",
        "deadline_margin",
        mode="before",
    )
    @classmethod
    def _parse_interval(cls, value: object) -> object:
        return _to_duration(value)

    @field_validator("public_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"{value!r} must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("report_rate_limit")
    @classmethod
    def _rate(cls, value: str) -> str:
        try:
            from limits import parse as parse_rate  # noqa: PLC0415  (only when the key is set)

            parse_rate(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a rate such as '30/minute' or '5/second'") from None
        return value

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _networks(cls, value: object) -> object:
        items = _listed(value, "addresses or networks, such as ['10.0.0.5', '10.1.0.0/16']")
        networks = []
        for item in items:
            try:
                networks.append(str(ipaddress.ip_network(str(item).strip(), strict=False)))
            except ValueError:
                raise ValueError(f"{item!r} is not an IP address or network such as 10.0.0.0/8") from None
        return tuple(networks)

    @field_validator("rate_limit_storage")
    @classmethod
    def _storage(cls, value: str) -> str:
        scheme = value.split("://", 1)[0] if "://" in value else ""
        if scheme not in RATE_LIMIT_SCHEMES:
            shown = _without_password(value)
            raise ValueError(f"{shown!r} is not a storage URL such as memory:// or redis://127.0.0.1:6379")
        return value

    @field_validator("secret_key")
    @classmethod
    def _long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < 32:
            raise ValueError("use at least 32 characters (for example: openssl rand -hex 32)")
        return value

    @field_validator("reminder_tag", "report_tag", "ops_tag")
    @classmethod
    def _plain_tag(cls, value: str) -> str:
        return checked(value, "tag")

    def describe(self) -> dict[str, Any]:
        """The settings as shown to people: durations compact, the database URL without password."""
        shown = self.model_dump(mode="python")
        shown["database_url"] = make_url(self.database_url).render_as_string(hide_password=True)
        shown["reminders"] = [format_duration(d) for d in self.reminders]
        shown["lead_times"] = {k: format_duration(v) for k, v in self.lead_times.items()}
        for key in (
            "poll_interval",
            "delivery_backoff",
            "delivery_backoff_max",
            "delivery_lease",
            "prepare_ahead",
            "deadline_margin",
        ):
            shown[key] = format_duration(getattr(self, key))
        shown["secret_key"] = "****" if self.secret_key else None
        shown["mail_url"] = "****" if self.mail_url else None
        shown["rate_limit_storage"] = _without_password(self.rate_limit_storage)
        shown["trusted_proxies"] = list(self.trusted_proxies)
        shown["channels_file"] = str(self.channels_file) if self.channels_file else None
        shown["dates_not_before"] = self.dates_not_before.isoformat()
        return shown


def _without_password(url: str) -> str:
    """``redis://:secret@host`` as ``redis://:****@host``."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"{user}:****@{host}"))


def config_path(explicit: Path | None, environ: Mapping[str, str]) -> Path | None:
    """``--config FILE``, else ``UA_SCHEDULER_CONFIG``, else ``./ua-scheduler.toml`` if present."""
    if explicit is not None:
        return explicit
    if environ.get(CONFIG_ENV):
        return Path(environ[CONFIG_ENV])
    return DEFAULT_CONFIG_FILE if DEFAULT_CONFIG_FILE.is_file() else None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise SettingsError(f"{path}: config file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path}: not valid TOML: {exc}") from None
    # Relative paths in a config file are relative to that file, not to the working directory.
    channels = data.get("channels_file")
    if isinstance(channels, str) and not Path(channels).is_absolute():
        data["channels_file"] = str(path.parent / channels)
    return data


def load_settings(explicit: Path | None = None) -> Settings:
    """Load and validate the settings; raise ``SettingsError`` naming the key and its source."""
    path = config_path(explicit, os.environ)
    data = _read_toml(path) if path else {}
    try:
        # Secrets may come from files, one per key, in a directory (systemd credentials, Docker).
        return Settings(_secrets_dir=os.environ.get(SECRETS_DIR_ENV), **data)
    except ValidationError as exc:
        raise SettingsError(_explain(exc, path, os.environ)) from None


def _explain(exc: ValidationError, path: Path | None, environ: Mapping[str, str]) -> str:
    problems = []
    for error in exc.errors(include_input=False, include_url=False):
        key = str(error["loc"][0]) if error["loc"] else "?"
        env_name = f"{ENV_PREFIX}{key.upper()}"
        if env_name in environ:
            source = f"environment variable {env_name}"
        elif path is not None:
            source = f"{path}"
        else:
            source = "defaults"
        message = problem_of(error, unknown_field="unknown setting (see the README for the keys)")
        problems.append(f"setting {key!r} ({source}): {message}")
    return "; ".join(problems)
