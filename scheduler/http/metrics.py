"""Prometheus metrics of one service process, in a registry of its own (tests make several)."""

from __future__ import annotations

from collections.abc import Sequence

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from jobs.notify import Outcome

LATENESS_BUCKETS_S = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.sends = Counter(
            "ua_scheduler_sends",
            "Messages for channels, by what they were and whether the channel took them, or dropped.",
            ["kind", "outcome"],
            registry=self.registry,
        )
        self.reports = Counter(
            "ua_scheduler_reports_received",
            "Supporters' reports stored, by where they came from.",
            ["source"],
            registry=self.registry,
        )
        self.open_actions = Gauge("ua_scheduler_open_actions", "Actions open now.", registry=self.registry)
        self.reported = Gauge(
            "ua_scheduler_actions_reported",
            "Actions supporters reported so far, per open action and kind; counted on time (the total), "
            "late, or held for review (the action's running totals).",
            ["ua", "kind", "counted"],
            registry=self.registry,
        )
        self.lateness = Histogram(
            "ua_scheduler_timer_lateness_seconds",
            "How long after its due time a reminder or close was handled.",
            buckets=LATENESS_BUCKETS_S,
            registry=self.registry,
        )

    def sent(self, kind: str, outcomes: Sequence[Outcome]) -> None:
        for outcome in outcomes:
            shown = "dropped" if outcome.dropped else "sent" if outcome.ok else "failed"
            self.sends.labels(kind=kind, outcome=shown).inc()

    def render(self) -> bytes:
        return generate_latest(self.registry)
