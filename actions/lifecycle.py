"""The action's lifecycle as one explicit table of transitions.

open   ──extend──▶ open
open   ──close───▶ closed
open   ──cancel──▶ cancelled
closed ──reopen──▶ open      (an update document with a later deadline)
"""

from __future__ import annotations

from enum import StrEnum

from actions.errors import LifecycleError
from actions.models import ActionStatus


class Transition(StrEnum):
    EXTEND = "extend"
    CLOSE = "close"
    CANCEL = "cancel"
    REOPEN = "reopen"


TRANSITIONS: dict[tuple[ActionStatus, Transition], ActionStatus] = {
    (ActionStatus.OPEN, Transition.EXTEND): ActionStatus.OPEN,
    (ActionStatus.OPEN, Transition.CLOSE): ActionStatus.CLOSED,
    (ActionStatus.OPEN, Transition.CANCEL): ActionStatus.CANCELLED,
    (ActionStatus.CLOSED, Transition.REOPEN): ActionStatus.OPEN,
}


def next_status(ua: str, current: ActionStatus, transition: Transition) -> ActionStatus:
    """The status after ``transition``; ``LifecycleError`` if the table has no such arrow."""
    try:
        return TRANSITIONS[(current, transition)]
    except KeyError:
        raise LifecycleError(
            f"cannot {transition.value} UA {ua}: it is {current.value} ({_ONLY[transition]})"
        ) from None


_ONLY = {
    Transition.EXTEND: "only an open action can be extended",
    Transition.CLOSE: "only an open action can be closed",
    Transition.CANCEL: "only an open action can be cancelled",
    Transition.REOPEN: "only a closed action can be reopened, by an update with a later deadline",
}
