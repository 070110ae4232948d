"""Errors of the work done when time comes. Messages never carry a channel's secrets."""

from config.errors import Invalid, UaSchedulerError


class JobsError(UaSchedulerError):
    """Base of the jobs' errors."""


class ChannelError(JobsError, Invalid):
    """``<masked url or name>: <problem>``: a channel cannot be used (an URL apprise does not read,
    a bad name, a missing or unreadable channels file). ``field`` is the value at fault."""

    def __init__(self, message: str, *, field: str = "url") -> None:
        self.field = field
        self.problem = message
        self.source = None
        self.rows = None
        Exception.__init__(self, message)
