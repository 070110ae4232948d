"""The application layer: one function per use, shared by every door (CLI, HTTP API, pages, dashboard).

Each function takes what it needs explicitly (the session, the clock, the settings, the channel
source), owns its transaction, and refuses with the one hierarchy in ``config.errors``. The doors
only parse input, call one function and render its result; each maps the errors once.

- ``actions``: create, import, list, show, extend, close, cancel an action
- ``channels``: list, add, remove, test-send a channel
- ``reports``: record a report (CLI, JSON door, form) and import sections' CSV totals
- ``tallies``: the tally of an action (final once closed, provisional before), running totals
- ``timetable``: what will be sent when, to which channels
- ``deliveries``: the delivery log and retrying one
- ``tokens``: staff tokens: create, list, revoke, verify
- ``inputs``: a door's raw values to a validated spec

Submodules are imported by the doors that need them, so a CLI command loads only its own.
"""
