"""Errors of the domain, each a kind of the one hierarchy in ``config.errors``.

ActionsError (UaSchedulerError)
├── NotFoundError          no such action                        (NotFound)
├── InvalidInputError      a value that cannot be used, by field   (Invalid)
├── LifecycleError         a transition the state machine forbids  (Conflict)
└── DuplicateError         something that must be unique exists    (Conflict)
"""

from config.errors import Conflict, Invalid, NotFound, UaSchedulerError


class ActionsError(UaSchedulerError):
    """Base of the domain's errors."""


class NotFoundError(ActionsError, NotFound):
    """``no action UA <number>: <where to look>``."""


class InvalidInputError(ActionsError, Invalid):
    """``[<source>: ]<field>: <problem>``."""


class LifecycleError(ActionsError, Conflict):
    """``UA <number> is <status>: cannot <transition>``."""


class DuplicateError(ActionsError, Conflict):
    """``<thing> <key> already exists: <what to do instead>``."""
