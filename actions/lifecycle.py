"""The action's lifecycle as one explicit table of transitions.

open ──extend──▶ open
open ──close───▶ closed
open ──cancel──▶ cancelled
"""

from __future__ import annotations

from enum import StrEnum

from actions.errors import LifecycleError
from actions.models import ActionStatus


class Transition(StrEnum):
    EXTEND = "extend"
    CLOSE = "close"
    CANCEL = "cancel"


TRANSITIONS: dict[tuple[ActionStatus, Transition], ActionStatus] = {
    (ActionStatus.OPEN, Transition.EXTEND): ActionStatus.OPEN,
    (ActionStatus.OPEN, Transition.CLOSE): ActionStatus.CLOSED,
    (ActionStatus.OPEN, Transition.CANCEL): ActionStatus.CANCELLED,
}


def next_status(ua: str, current: ActionStatus, transition: Transition) -> ActionStatus:
    """The status after ``transition``; ``LifecycleError`` if the table has no such arrow."""
    try:
        return TRANSITIONS[(current, transition)]
    except KeyError:
        raise LifecycleError(
            f"cannot {transition.value} UA {ua}: it is {current.value}"
            f" (only an open action can be {_PAST[transition]})"
        ) from None


_PAST = {Transition.EXTEND: "extended", Transition.CLOSE: "closed", Transition.CANCEL: "cancelled"}
