"""The timeline chart of a tally: actions reported per day, reminders marked. Plain SVG, no network."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from html import escape
from typing import Any

STYLE = (
    "text{font:11px sans-serif;fill:#333}.axis{stroke:#999}.bar{fill:#3b6ea5}"
    ".rem{stroke:#c78c00;stroke-dasharray:4 3}.dl{stroke:#b00020;stroke-width:2}"
)
"""The chart's one style block; pages allow it by its hash."""

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 16, 40


def timeline_svg(per_day: Sequence[dict[str, Any]], reminders: Sequence[datetime], deadline: datetime) -> str:
    """Bars of actions per day (UTC days), dashed lines at reminders, a red line at the deadline."""
    counts = {date.fromisoformat(str(d["date"])): int(d["actions"]) for d in per_day}
    days = [*counts, *(r.date() for r in reminders), deadline.date()]
    first, last = min(days), max(days)
    span = (last - first).days + 1
    peak = max([*counts.values(), 1])
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / span

    def x_of(day: date) -> float:
        return LEFT + (day - first).days * step

    def x_at(instant: datetime) -> float:
        return (
            LEFT
            + (instant - datetime.combine(first, datetime.min.time(), instant.tzinfo)).total_seconds()
            / 86400
            * step
        )

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" '
        f'height="{HEIGHT}" role="img" aria-label="Actions reported per day">',
        f"<style>{STYLE}</style>",
        f'<line class="axis" x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_h}"/>',
        f'<text x="{LEFT - 6}" y="{TOP + 8}" text-anchor="end">{peak}</text>',
        f'<text x="{LEFT - 6}" y="{TOP + plot_h}" text-anchor="end">0</text>',
    ]
    for day, n in sorted(counts.items()):
        h = plot_h * n / peak
        parts.append(
            f'<rect class="bar" x="{x_of(day) + step * 0.1:.1f}" y="{TOP + plot_h - h:.1f}" '
            f'width="{max(step * 0.8, 1):.1f}" height="{h:.1f}"><title>{day.isoformat()}: {n}</title></rect>'
        )
    for when in reminders:
        x = x_at(when)
        parts.append(f'<line class="rem" x1="{x:.1f}" y1="{TOP}" x2="{x:.1f}" y2="{TOP + plot_h}"/>')
    x = x_at(deadline)
    parts.append(f'<line class="dl" x1="{x:.1f}" y1="{TOP}" x2="{x:.1f}" y2="{TOP + plot_h}"/>')
    label_every = max(1, span // 8)
    for offset in range(0, span, label_every):
        day = first + timedelta(days=offset)
        parts.append(
            f'<text x="{x_of(day) + step / 2:.1f}" y="{HEIGHT - BOTTOM + 14}" text-anchor="middle">'
            f"{escape(day.strftime('%d %b'))}</text>"
        )
    parts.append(
        f'<text x="{LEFT}" y="{HEIGHT - 6}">bars: actions reported per day (UTC) · dashed: reminders · '
        "red: deadline</text></svg>"
    )
    return "\n".join(parts)
