"""Errors of the domain. Each message names the action, the field and what to do.

ActionsError
├── NotFoundError          no such action
├── InvalidInputError      a value that cannot be used (names the field)
├── LifecycleError         a transition the state machine forbids
└── DuplicateError         something that must be unique already exists
"""


class ActionsError(Exception):
    """Base of the domain's errors."""


class NotFoundError(ActionsError):
    """The action (or channel) asked for does not exist."""


class InvalidInputError(ActionsError):
    """A value cannot be used; the message names the field."""

    def __init__(self, field: str, problem: str, *, source: str | None = None) -> None:
        self.field = field
        self.problem = problem
        self.source = source
        where = f"{source}: " if source else ""
        super().__init__(f"{where}{field}: {problem}")


class LifecycleError(ActionsError):
    """The state machine refuses this transition."""


class DuplicateError(ActionsError):
    """A name or number that must be unique is taken."""
