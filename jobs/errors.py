"""Errors of the work done when time comes. Messages never carry a channel's secrets."""


class JobsError(Exception):
    """Base of the jobs' errors."""


class ChannelError(JobsError):
    """A channel cannot be used: an URL apprise does not read, a missing or unreadable config file.

    The message shows the channel's masked URL only.
    """
