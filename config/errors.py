"""The one error hierarchy: everything the service refuses on purpose is one of these.

Every layer raises them (``config`` is the lowest, so all can import it); each door maps them once:
the CLI to an exit status and one line on stderr, HTTP to a status and the JSON error body. Each
class's docstring is the pattern of its messages.

UaSchedulerError
├── NotFound            no such thing                          CLI 1, HTTP 404
├── Conflict            the thing's state forbids it, or it exists  CLI 1, HTTP 409
├── Invalid(field=…)    a value that cannot be used            CLI 1, HTTP 422
│   └── SettingsError   a setting that cannot be used          CLI 1
├── Refused             valid, but not allowed here and now    CLI 1, HTTP 403
└── Unavailable         a part we depend on did not answer      CLI 1, HTTP 503
    └── NotDelivered    a channel did not take a message       CLI 1, HTTP 502
"""

from __future__ import annotations


class UaSchedulerError(Exception):
    """Base of every expected failure: ``<what>: <problem>[: <what to do>]`` on one line."""


class NotFound(UaSchedulerError):  # noqa: N818  (the hierarchy's names are the issue's words)
    """``no <thing> <key>: <where to look>``, e.g. ``no action UA 61.20: see `actions list --status all```."""


class Conflict(UaSchedulerError):  # noqa: N818
    """``<thing> <key> <is in a state that forbids it>: <what to do instead>``."""


class Invalid(UaSchedulerError):  # noqa: N818
    """``[<source>: ]<field>: <problem>``; ``field`` names the value at fault, ``problem`` says why."""

    def __init__(
        self,
        field: str,
        problem: str,
        *,
        source: str | None = None,
        rows: list[dict[str, object]] | None = None,
    ) -> None:
        self.field = field
        self.problem = problem
        self.source = source
        self.rows = rows
        """For a file refused whole: each line's problem (``line``, ``field``, ``message``)."""
        where = f"{source}: " if source else ""
        super().__init__(f"{where}{field}: {problem}")


class SettingsError(UaSchedulerError):
    """``<file or environment>: <key>: <problem>``: the settings cannot be used."""


class Refused(UaSchedulerError):  # noqa: N818
    """``<what> is refused: <why>``: a valid request that this thing does not take (now)."""


class Unavailable(UaSchedulerError):  # noqa: N818
    """``<part>: <why>``, e.g. ``database: connection refused``: worth trying again later."""


class NotDelivered(Unavailable):
    """``channel <name> (<masked url>) did not take the <message>[: <reason>]``."""
