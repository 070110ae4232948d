"""The action's lifecycle: only an open action can be extended, closed or cancelled."""

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
]
ILLEGAL = [
    (status, transition)
    for status, transition in itertools.product(ActionStatus, Transition)
    if status is not ActionStatus.OPEN
]
PAST = {Transition.EXTEND: "extended", Transition.CLOSE: "closed", Transition.CANCEL: "cancelled"}


@pytest.mark.parametrize(("current", "transition", "after"), ALLOWED)
def test_an_open_action_allows_every_transition(
    current: ActionStatus, transition: Transition, after: ActionStatus
) -> None:
    assert next_status("61.20", current, transition) is after


def test_the_table_holds_exactly_the_allowed_transitions() -> None:
    assert {(current, t): after for current, t, after in ALLOWED} == TRANSITIONS


def test_the_illegal_transitions_are_closed_and_cancelled_against_everything() -> None:
    assert set(ILLEGAL) == {
        (ActionStatus.CLOSED, Transition.EXTEND),
        (ActionStatus.CLOSED, Transition.CLOSE),
        (ActionStatus.CLOSED, Transition.CANCEL),
        (ActionStatus.CANCELLED, Transition.EXTEND),
        (ActionStatus.CANCELLED, Transition.CLOSE),
        (ActionStatus.CANCELLED, Transition.CANCEL),
    }


@pytest.mark.parametrize(("current", "transition"), ILLEGAL)
def test_a_transition_from_a_finished_action_is_refused_naming_the_ua_and_status(
    current: ActionStatus, transition: Transition
) -> None:
    with pytest.raises(LifecycleError) as caught:
        next_status("219.06", current, transition)
    message = str(caught.value)
    assert "UA 219.06" in message
    assert f"it is {current.value}" in message
    assert message.startswith(f"cannot {transition.value} ")
    assert f"only an open action can be {PAST[transition]}" in message


def test_a_lifecycle_error_is_an_actions_error() -> None:
    with pytest.raises(ActionsError):
        next_status("61.20", ActionStatus.CANCELLED, Transition.EXTEND)
