"""The action's lifecycle: one table of allowed transitions; everything else is refused."""

from __future__ import annotations

import itertools

import pytest

from actions.errors import ActionsError, LifecycleError
from actions.lifecycle import TRANSITIONS, Transition, next_status
from actions.models import ActionStatus

ALLOWED = [
    (ActionStatus.OPEN, Transition.EXTEND, ActionStatus.OPEN),
    (ActionStatus.OPEN, Transition.CLOSE, ActionStatus.CLOSED),
    (ActionStatus.OPEN, Transition.CANCEL, ActionStatus.CANCELLED),
    (ActionStatus.CLOSED, Transition.REOPEN, ActionStatus.OPEN),
]
ILLEGAL = [
    (status, transition)
    for status, transition in itertools.product(ActionStatus, Transition)
    if (status, transition) not in {(a, t) for a, t, _ in ALLOWED}
]
WHY = {
    Transition.EXTEND: "only an open action can be extended",
    Transition.CLOSE: "only an open action can be closed",
    Transition.CANCEL: "only an open action can be cancelled",
    Transition.REOPEN: "only a closed action can be reopened",
}


@pytest.mark.parametrize(("current", "transition", "after"), ALLOWED)
def test_each_allowed_transition_gives_its_status(
    current: ActionStatus, transition: Transition, after: ActionStatus
) -> None:
    assert next_status("61.20", current, transition) is after


def test_the_table_holds_exactly_the_allowed_transitions() -> None:
    assert {(current, t): after for current, t, after in ALLOWED} == TRANSITIONS


def test_the_illegal_transitions_are_every_other_pair() -> None:
    assert set(ILLEGAL) == {
        (ActionStatus.OPEN, Transition.REOPEN),
        (ActionStatus.CLOSED, Transition.EXTEND),
        (ActionStatus.CLOSED, Transition.CLOSE),
        (ActionStatus.CLOSED, Transition.CANCEL),
        (ActionStatus.CANCELLED, Transition.EXTEND),
        (ActionStatus.CANCELLED, Transition.CLOSE),
        (ActionStatus.CANCELLED, Transition.CANCEL),
        (ActionStatus.CANCELLED, Transition.REOPEN),
    }


@pytest.mark.parametrize(("current", "transition"), ILLEGAL)
def test_an_illegal_transition_is_refused_naming_the_ua_and_status(
    current: ActionStatus, transition: Transition
) -> None:
    with pytest.raises(LifecycleError) as caught:
        next_status("219.06", current, transition)
    message = str(caught.value)
    assert "UA 219.06" in message
    assert f"it is {current.value}" in message
    assert message.startswith(f"cannot {transition.value} ")
    assert WHY[transition] in message


def test_a_lifecycle_error_is_an_actions_error() -> None:
    with pytest.raises(ActionsError):
        next_status("61.20", ActionStatus.CANCELLED, Transition.EXTEND)
