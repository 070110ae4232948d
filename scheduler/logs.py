"""structlog setup: JSON lines for daemons and pipes, a readable console on a terminal, no secrets."""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from typing import Any, Literal

import structlog
from structlog.tracebacks import ExceptionDictTransformer

from jobs import reasons
from jobs.secrets import Redactor, hide_addresses_in

LogFormat = Literal["auto", "json", "console"]


def hide_addresses(
    _logger: Any, _name: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """Supporters' email addresses are personal data: logs keep only their domain."""
    for key, value in event_dict.items():
        if isinstance(value, str) and "@" in value:
            event_dict[key] = hide_addresses_in(value)
    return event_dict


_LEVELS = {
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warning": logging.WARNING,
    "error": logging.ERROR,
}


def configure(redactor: Redactor, fmt: LogFormat = "auto", level: str = "info") -> None:
    """Route structlog and the standard library (apprise, APScheduler) through one redacting pipeline."""
    use_json = fmt == "json" or (fmt == "auto" and not sys.stderr.isatty())
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: structlog.types.Processor
    if use_json:
        # Local variables in tracebacks would carry channel URLs: never show them.
        tracebacks = structlog.processors.ExceptionRenderer(ExceptionDictTransformer(show_locals=False))
        final: list[structlog.types.Processor] = [tracebacks, redactor, hide_addresses]
        renderer = structlog.processors.JSONRenderer()
    else:
        final = [structlog.processors.format_exc_info, redactor, hide_addresses]
        renderer = structlog.dev.ConsoleRenderer(colors=False)

    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            *final,
            renderer,
        ],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    # apprise logs each attempt at DEBUG and INFO, read back to say why a send failed
    # (``jobs.reasons``); only its warnings and errors are what an operator needs.
    handler.addFilter(reasons.quiet_apprise)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(_LEVELS.get(level, logging.INFO))
    reasons.install()
    apprise_logger = logging.getLogger("apprise")
    # Its records are redacted where they are made, before any handler (ours or another) sees them.
    for old in [f for f in apprise_logger.filters if isinstance(f, Redactor)]:
        apprise_logger.removeFilter(old)
    apprise_logger.addFilter(redactor)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
