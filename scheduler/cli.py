"""The ``ua-scheduler`` command: a thin adapter over ``scheduler.app``. Its commands, flags and JSON
fields are a stable contract.

Each command parses its flags, calls one function of the application layer and prints the result.
Errors are mapped once, in ``main``: every ``UaSchedulerError`` is one line on stderr and exit status 1,
a usage error is click's message and status 2, anything else one line (traceback in the log at debug)
and status 1. Heavy modules (the daemon, FastAPI, WeasyPrint, pypdf) load only in the commands that use
them, so the others start fast.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from actions.clock import Clock, ManualClock, SystemClock
from config.errors import Invalid, UaSchedulerError, Unavailable
from jobs.formats import FORMATS, TallyFormat
from jobs.secrets import Redactor
from scheduler.files import keep_private, readable_by_others, write_private

if TYPE_CHECKING:
    from config.settings import Settings
    from scheduler.service import Service

REDACTOR = Redactor()
"""One per process: every channel URL met is registered, and every error line passes through it."""
DELIVERY_STATUSES = ("pending", "sending", "sent", "failed", "dropped")
"""``OutboxStatus``'s values, written out so that ``--help`` need not load the models."""


class Context:
    """Settings load at once (bad settings stop everything); the database opens on first use."""

    def __init__(self, settings: Settings, redactor: Redactor, clock: Clock) -> None:
        self.settings = settings
        self.redactor = redactor
        self.clock = clock
        self._service: Service | None = None

    @property
    def service(self) -> Service:
        if self._service is None:
            from scheduler.service import open_service

            self._service = open_service(self.settings, clock=self.clock, redactor=self.redactor)
        return self._service

    def close(self) -> None:
        if self._service is not None:
            self._service.engine.dispose()


pass_ctx = click.make_pass_decorator(Context)


def _emit_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def _instant(_ctx: click.Context, _param: click.Parameter, value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        instant = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("give an ISO 8601 instant such as 2026-11-28T10:00:00Z") from None
    if instant.tzinfo is None:
        raise click.BadParameter("give the instant with its offset (Z or +02:00)")
    return instant


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="TOML settings file (else $UA_SCHEDULER_CONFIG, else ./ua-scheduler.toml).",
)
@click.option(
    "--log-format",
    type=click.Choice(["auto", "json", "console"]),
    default=None,
    help="JSON lines (default off a terminal) or console.",
)
@click.option(
    "--now",
    callback=_instant,
    hidden=True,
    help="Act as if it were this instant (for tests and rehearsals); default: the system clock.",
)
@click.version_option(package_name="ua-scheduler")
@click.pass_context
def cli(ctx: click.Context, config_file: Path | None, log_format: str | None, now: datetime | None) -> None:
    """Deadline-aware scheduler for Urgent Action campaigns."""
    from config.settings import load_settings
    from scheduler.logs import configure

    settings = load_settings(config_file)
    fmt = log_format or settings.log_format
    # Commands other than ``run`` answer on stdout; their logs show only what went wrong.
    level = settings.log_level if ctx.invoked_subcommand == "run" else _at_least_warning(settings.log_level)
    configure(REDACTOR, fmt, level)  # type: ignore[arg-type]
    clock: Clock = ManualClock(now) if now is not None else SystemClock()
    ctx.obj = Context(settings, REDACTOR, clock)
    ctx.call_on_close(ctx.obj.close)


# ---------------------------------------------------------------- run


@cli.command()
@click.option("--demo", is_flag=True, help="Add a demo action due in 3 minutes and a log:// channel.")
@click.option("--drain", is_flag=True, help="Do what is due now, then exit (for cron and tests).")
@click.option("--no-http", is_flag=True, help="Do not serve HTTP (pages, API, health).")
@pass_ctx
def run(obj: Context, demo: bool, drain: bool, no_http: bool) -> None:
    """Run the service: reminders, closes and tallies as their time comes."""
    import structlog

    from scheduler.daemon import drain as drain_now
    from scheduler.daemon import serve

    log = structlog.get_logger("ua_scheduler.cli")
    service = obj.service
    _warn_if_readable(service, log)
    if demo:
        from scheduler.demo import seed_demo

        ua = seed_demo(service)
        log.info(
            "demo.ready",
            action=ua,
            page=f"{obj.settings.public_url}/ua/{ua}",
            hint="reminders in the log over the next 3 minutes",
        )
    if drain:
        result = drain_now(service)
        log.info(
            "drain.done",
            closed=result.closed,
            reminded=result.reminded,
            skipped=result.skipped,
            tallies=result.tallies_delivered,
            sent=result.deliveries.sent,
            failed=result.deliveries.failed,
        )
        return
    serve(service, http=not no_http)


def _warn_if_readable(service: Service, log: Any) -> None:
    """The database holds channel passwords and the key that signs staff sessions."""
    url = service.engine.url
    if url.get_backend_name() == "sqlite" and url.database and readable_by_others(Path(url.database)):
        log.warning(
            "database.readable_by_others",
            path=url.database,
            fix=f"chmod 600 {url.database}*",
        )


# ---------------------------------------------------------------- actions


@cli.group()
def actions() -> None:
    """Add, import, list, show, extend, close and cancel actions."""


@actions.command("add")
@click.option("--ua", required=True, help="UA number such as 61.20.")
@click.option("--title", required=True)
@click.option("--deadline", required=True, help="2020-06-03 (end of that day) or 2026-11-28T10:00:00Z.")
@click.option("--timezone", help="Zone the deadline is stated in (default: settings' timezone).")
@click.option("--reminders", help="Offsets before the deadline, such as 7d,3d,1d,3h (default: settings).")
@click.option("--tag", "tags", multiple=True, help="Also remind channels with this tag.")
@click.option("--subject", help="Who the action is for.")
@click.option("--country")
@click.option("--language", "languages", multiple=True, help="Preferred language to address targets.")
@pass_ctx
def actions_add(
    obj: Context,
    ua: str,
    title: str,
    deadline: str,
    timezone: str | None,
    reminders: str | None,
    tags: tuple[str, ...],
    subject: str | None,
    country: str | None,
    languages: tuple[str, ...],
) -> None:
    """Add an action."""
    from actions import views
    from actions.specs import ActionSpec
    from scheduler.app import actions as app
    from scheduler.app.inputs import validated

    spec = validated(
        ActionSpec,
        ua=ua,
        title=title,
        deadline=deadline,
        timezone=timezone,
        reminders=reminders,
        tags=list(tags),
        subject=subject,
        country=country,
        preferred_languages=list(languages),
    )
    service = obj.service
    with service.session() as session:
        action = app.create(session, spec, clock=obj.clock, settings=obj.settings)
        click.echo(f"added UA {action.ua} ({action.status.value}), deadline {views.iso(action.deadline)}")


@actions.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Say what would be created or changed; write nothing.")
@click.option(
    "--draft", is_flag=True, help="Write what a document says to FILE.draft.yaml to check and finish by hand."
)
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def actions_import(obj: Context, files: tuple[Path, ...], dry_run: bool, draft: bool, as_json: bool) -> None:
    """Create or update actions from UA documents (.txt, .md, .pdf) or action files (.toml, .yaml).

    Each file is one transaction: it is imported whole or not at all.
    """
    from scheduler.app import actions as app

    if draft:
        if dry_run:
            raise click.UsageError("--draft writes no action: give --draft or --dry-run, not both")
        _write_drafts([app.draft(path, settings=obj.settings) for path in files], as_json)
        return
    service = obj.service
    results: list[dict[str, Any]] = []
    for path in files:
        with service.session() as session:
            outcome = app.import_file(session, path, clock=obj.clock, settings=obj.settings, dry_run=dry_run)
        results.append(outcome.to_json())
    if as_json:
        _emit_json({"dry_run": dry_run, "results": results})
    else:
        for entry in results:
            _echo_import(entry, dry_run)
    if not all(entry["ok"] for entry in results):
        raise SystemExit(1)


def _write_drafts(results: list[dict[str, Any]], as_json: bool) -> None:
    if as_json:
        _emit_json({"draft": True, "results": results})
    for entry in [] if as_json else results:
        if not entry["ok"]:
            click.echo(f"error: {entry['error']}", err=True)
            continue
        todo = f"; fill in {', '.join(entry['todo'])} (TODO)" if entry["todo"] else ""
        check = f"; check {', '.join(entry['check'])}" if entry["check"] else ""
        click.echo(f"{entry['file']}: draft written to {entry['draft']}{check}{todo}")
        click.echo(f"  then: ua-scheduler actions import {entry['draft']}")
    if not all(entry["ok"] for entry in results):
        raise SystemExit(1)


def _echo_import(entry: dict[str, Any], dry_run: bool) -> None:
    if not entry["ok"]:
        click.echo(f"error: {entry['error']}", err=True)
        return
    verb = (
        ("would create" if dry_run else "created")
        if entry["created"]
        else ("would change" if dry_run else "changed")
    )
    if not entry["created"] and not entry["changes"]:
        verb = "unchanged"
    click.echo(f"{entry['file']}: UA {entry['ua']} {verb} ({entry['status']})")
    if "action" in entry:
        from actions import views

        for line in views.describe(entry["action"]):
            click.echo(f"  {line}")
    for name, change in entry["changes"].items():
        click.echo(f"  {name}: {_short(change['old'])} -> {_short(change['new'])}")
    for warning in entry["warnings"]:
        click.echo(f"  warning: {warning}")


def _short(value: Any, limit: int = 70) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@actions.command("list")
@click.option(
    "--status",
    type=click.Choice(["open", "closed", "cancelled", "all"]),
    default="open",
    show_default=True,
)
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def actions_list(obj: Context, status: str, as_json: bool) -> None:
    """List actions."""
    from scheduler.app import actions as app

    with obj.service.session() as session:
        data = app.listed(session, status)
    if as_json:
        _emit_json(data)
        return
    for item in data:
        click.echo(f"{item['ua']:<10} {item['status']:<9} {item['deadline']}  {item['title']}")


@actions.command("show")
@click.argument("ua")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def actions_show(obj: Context, ua: str, as_json: bool) -> None:
    """Show one action with its targets, reminders and history."""
    from scheduler.app import actions as app

    with obj.service.session() as session:
        data = app.detail(session, ua)
    if as_json:
        _emit_json(data)
        return
    click.echo(f"UA {data['ua']}: {data['title']} [{data['status']}]")
    click.echo(f"deadline: {data['deadline']} ({data['timezone']})")
    for target in data["targets"]:
        click.echo(f"target: {target['name']}" + (f", {target['title']}" if target["title"] else ""))
    for reminder in data["reminders"]:
        click.echo(f"reminder {reminder['offset']:>6} due {reminder['due']}  {reminder['status']}")


@actions.command("extend")
@click.argument("ua")
@click.option("--deadline", required=True, help="New deadline: a date or an ISO 8601 instant.")
@pass_ctx
def actions_extend(obj: Context, ua: str, deadline: str) -> None:
    """Move the deadline later; only reminders not sent yet are re-armed."""
    from actions import views
    from scheduler.app import actions as app

    with obj.service.session() as session:
        action = app.extend(session, ua, deadline, clock=obj.clock, settings=obj.settings, source="cli")
        click.echo(f"extended UA {action.ua} to {views.iso(action.deadline)}")


@actions.command("close")
@click.argument("ua")
@pass_ctx
def actions_close(obj: Context, ua: str) -> None:
    """Close now; the final tally is built at once and delivered by the running service."""
    from scheduler.app import actions as app

    service = obj.service
    with service.session() as session:
        action = app.close(session, ua, clock=obj.clock, settings=obj.settings, channels=service.channels)
        click.echo(f"closed UA {action.ua}")


@actions.command("cancel")
@click.argument("ua")
@pass_ctx
def actions_cancel(obj: Context, ua: str) -> None:
    """Cancel: no more reminders and no final tally."""
    from scheduler.app import actions as app

    with obj.service.session() as session:
        action = app.cancel(session, ua, clock=obj.clock)
        click.echo(f"cancelled UA {action.ua}")


# ---------------------------------------------------------------- reports


@cli.group()
def reports() -> None:
    """Record supporters' reports of actions taken."""


@reports.command("add")
@click.argument("ua")
@click.option("--letters", type=int, default=0)
@click.option("--emails", type=int, default=0)
@click.option("--faxes", type=int, default=0)
@click.option("--calls", type=int, default=0)
@click.option("--posts", type=int, default=0, help="Social media posts.")
@click.option("--other", type=int, default=0)
@click.option("--country", help="Two-letter country code of the supporter, such as NL.")
@pass_ctx
def reports_add(
    obj: Context,
    ua: str,
    letters: int,
    emails: int,
    faxes: int,
    calls: int,
    posts: int,
    other: int,
    country: str | None,
) -> None:
    """Add a report of actions taken."""
    from actions.specs import ReportCounts
    from scheduler.app import reports as app
    from scheduler.app.inputs import validated

    counts = validated(
        ReportCounts, letter=letters, email=emails, fax=faxes, call=calls, post=posts, other=other
    )
    service = obj.service
    stored = app.record(
        service.door,
        ua,
        counts,
        clock=obj.clock,
        source="cli",
        country=country,
        then=service.refresh_prepared_with_report,
    )
    late = " (late: counted apart from the total)" if stored.late else ""
    click.echo(f"recorded {counts.total()} action(s) for UA {stored.ua}{late}")


@reports.command("held")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def reports_held(obj: Context, as_json: bool) -> None:
    """Reports held for review (they claim more of a kind than `report_review_above`), oldest first."""
    from scheduler.app import review as app

    with obj.service.session() as session:
        data = app.held(session)
    if as_json:
        _emit_json(data)
        return
    if not data:
        click.echo("no reports held for review")
    for item in data:
        counts = ", ".join(f"{kind} {n}" for kind, n in item["counts"].items() if n)
        where = f" from {item['country']}" if item["country"] else ""
        click.echo(
            f"{item['id']:>6}  UA {item['ua']:<8} {item['received_at']}  {counts}{where} ({item['source']})"
        )


@reports.command("approve")
@click.argument("report_id", type=int)
@pass_ctx
def reports_approve(obj: Context, report_id: int) -> None:
    """Count a held report (after the close: in the addendum, as late)."""
    from scheduler.app import review as app

    with obj.service.session() as session:
        done = app.approve(session, report_id, now=obj.clock.now(), by="cli")
    late = " (late: in the addendum, apart from the final total)" if done["late"] else ""
    click.echo(f"approved report {report_id} for UA {done['ua']}: {done['total']} action(s) now count{late}")


@reports.command("reject")
@click.argument("report_id", type=int)
@click.option("--why", required=True, help="The reason, kept with the report.")
@pass_ctx
def reports_reject(obj: Context, report_id: int, why: str) -> None:
    """Never count a held report; it is kept, with the reason."""
    from scheduler.app import review as app

    with obj.service.session() as session:
        done = app.reject(session, report_id, now=obj.clock.now(), why=why, by="cli")
    click.echo(f"rejected report {report_id} for UA {done['ua']}: it will never count")


# ---------------------------------------------------------------- channels


@cli.group()
def channels() -> None:
    """Notification channels (apprise URLs with tags)."""


@channels.command("add")
@click.argument("name")
@click.argument("url")
@click.option("--tag", "tags", multiple=True, help="Tags this channel listens to (repeatable).")
@click.option("--digest", help="A round-up instead of each reminder: 'daily@09:00' or 'weekly@mon 09:00'.")
@click.option("--quiet-hours", help="No reminder in this window (HH:MM-HH:MM); they go just before it.")
@click.option("--language", help="The messages' language: en, de, fr, es or ru (others get English).")
@click.option("--timezone", help="The zone of --digest and --quiet-hours (default: the timezone setting).")
@pass_ctx
def channels_add(
    obj: Context,
    name: str,
    url: str,
    tags: tuple[str, ...],
    digest: str | None,
    quiet_hours: str | None,
    language: str | None,
    timezone: str | None,
) -> None:
    """Add a channel; the URL is stored as given and only ever shown masked."""
    from scheduler.app import channels as app

    obj.redactor.add_url(url)

    obj.redactor.add_url(url)
    with obj.service.session() as session:
        ref = app.add(
            session,
            name,
            url,
            tags,
            clock=obj.clock,
            redactor=obj.redactor,
            then=obj.service.refresh_prepared,
            digest=digest,
            quiet_hours=quiet_hours,
            language=language,
            timezone=timezone,
        )
    shown = [f"{k} {v}" for k, v in ref.options.describe().items() if v]
    click.echo(f"added channel {ref.name} ({', '.join([*sorted(ref.tags), *shown]) or 'no tags'})")


@channels.command("list")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def channels_list(obj: Context, as_json: bool) -> None:
    """List channels in masked form."""
    from scheduler.app import channels as app

    with obj.service.session() as session:
        refs = app.listed(session, obj.service.channels)
    if as_json:
        _emit_json([c.describe() for c in refs])
        return
    for ref in refs:
        click.echo(f"{ref.name:<20} {','.join(sorted(ref.tags)):<24} {ref.masked}")


@channels.command("test")
@click.argument("name")
@pass_ctx
def channels_test(obj: Context, name: str) -> None:
    """Send a test message to one channel."""
    from scheduler.app import channels as app

    with obj.service.session() as session:
        app.test(session, name, clock=obj.clock, channels=obj.service.channels)
    click.echo(f"sent a test message to {name}")


@channels.command("remove")
@click.argument("name")
@pass_ctx
def channels_remove(obj: Context, name: str) -> None:
    """Remove a channel added with the CLI."""
    from scheduler.app import channels as app

    with obj.service.session() as session:
        app.remove(session, name)
    click.echo(f"removed channel {name}")


# ---------------------------------------------------------------- tally and plan


@cli.command()
@click.argument("ua")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="md", show_default=True)
@click.option("--language", help="Letters' language (en, ru); default: the action's preferred one.")
@click.option("--output", type=click.Path(path_type=Path, dir_okay=False), help="Write to FILE.")
@click.option(
    "--verify",
    is_flag=True,
    help="Recount every report and compare with the running totals (exit 1 if they differ).",
)
@click.option("--history", is_flag=True, help="List every archived final tally (JSON with --format json).")
@click.option("--revision", type=click.IntRange(min=1), help="Archived final tally N (1: the first close).")
@pass_ctx
def tally(
    obj: Context,
    ua: str,
    fmt: TallyFormat,
    language: str | None,
    output: Path | None,
    verify: bool,
    history: bool,
    revision: int | None,
) -> None:
    """The tally of an action: once closed, the archived final one (late reports apart); provisional
    before; letters to its targets."""
    from scheduler.app import tallies as app

    if history:
        with obj.service.session() as session:
            _echo_history(app.history(session, ua), as_json=fmt == "json")
        return
    if verify:
        with obj.service.session() as session:
            checked = app.verify(session, ua)
        if checked.differences:
            click.echo(
                f"ua-scheduler: UA {checked.ua}: the running totals differ from a recount of the reports "
                f"(kept != recounted): {'; '.join(checked.differences)}",
                err=True,
            )
            raise SystemExit(1)
        kept = checked.kept
        click.echo(
            f"UA {checked.ua}: the running totals match a recount of the reports: {kept.total} action(s) "
            f"in {kept.reports} report(s), {kept.late} late, {kept.held} held for review"
        )
        return

    if fmt == "pdf" and output is None and sys.stdout.isatty():
        raise Invalid("output", "a PDF is binary: give --output FILE or redirect stdout")
    with obj.service.session() as session:
        rendered = app.tally(session, ua, clock=obj.clock, fmt=fmt, language=language, revision=revision)
    if output is not None:
        write_private(output, rendered.content)
        click.echo(f"wrote {output}", err=True)
        return
    sys.stdout.flush()
    sys.stdout.buffer.write(rendered.content)
    sys.stdout.buffer.flush()


def _echo_history(rows: list[dict[str, Any]], *, as_json: bool) -> None:
    if as_json:
        _emit_json(rows)
        return
    if not rows:
        click.echo("no final tally yet")
    for row in rows:
        state = f"superseded {row['superseded_at']}" if row["superseded"] else "current"
        shown = f"{row['revision']:>3}  {row['counted_at']}  total {row['total']:>8}"
        click.echo(f"{shown}  {row['content_hash']}  {state}")


@cli.command()
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def plan(obj: Context, as_json: bool) -> None:
    """The timetable: what will be sent when (UTC, and local time), to which channels."""
    from scheduler.app.timetable import timetable

    with obj.service.session() as session:
        entries = timetable(
            session, settings=obj.settings, channels=obj.service.channels, now=obj.clock.now()
        )
    if as_json:
        _emit_json(entries)
        return
    if not entries:
        click.echo("nothing planned")
    for entry in entries:
        to = ", ".join(entry["channels"]) or "no channel"
        what = f"UA {entry['ua']:<8} {entry['what']}" if entry["ua"] else entry["what"]
        click.echo(f"{entry['at']}  {entry['local']:<34} {what:<56} → {to}")


@cli.group(invoke_without_command=True)
@click.option(
    "--status",
    type=click.Choice(DELIVERY_STATUSES),
    help="Only deliveries in this state (failed: gave up; dropped: too late or channel gone).",
)
@click.option("--limit", type=click.IntRange(1, 10_000), default=200, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def deliveries(ctx: click.Context, status: str | None, limit: int, as_json: bool) -> None:
    """The delivery log (the outbox), newest first; `deliveries retry ID` sends one again."""
    from scheduler.app import deliveries as app

    if ctx.invoked_subcommand is not None:
        return
    obj = ctx.find_object(Context)
    assert obj is not None
    with obj.service.session() as session:
        data = app.listed(session, status=status, limit=limit, redactor=obj.redactor)
    if as_json:
        _emit_json(data)
        return
    for item in data:
        when = item["sent_at"] or item["next_attempt_at"]
        owner = f"  by {item['owner']}" if item["owner"] else ""
        error = f"  {item['last_error']}" if item["last_error"] else ""
        click.echo(
            f"{item['id']:>6} {item['status']:<8} {item['attempts']:>2}x {when}  {item['key']}{owner}{error}"
        )


@deliveries.command("retry")
@click.argument("delivery_id", type=int)
@pass_ctx
def deliveries_retry(obj: Context, delivery_id: int) -> None:
    """Put a failed or dropped delivery back in line; the running service sends it."""
    from scheduler.app import deliveries as app

    with obj.service.session() as session:
        key = app.retry(session, delivery_id, clock=obj.clock)
    click.echo(f"delivery {delivery_id} ({key}) queued again")


@cli.group("tokens")
def tokens_group() -> None:
    """Staff tokens for the HTTP API and the dashboard."""


@tokens_group.command("create")
@click.argument("name")
@pass_ctx
def tokens_create(obj: Context, name: str) -> None:
    """Make a token and print it once: only its hash is stored."""
    from scheduler.app import tokens

    with obj.service.session() as session:
        token = tokens.create(session, name, now=obj.clock.now())
    click.echo(token)
    click.echo(f"token {name!r} created: keep it now, it cannot be shown again", err=True)


@tokens_group.command("list")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def tokens_list(obj: Context, as_json: bool) -> None:
    """List tokens (names and dates, never the tokens)."""
    from scheduler.app import tokens

    with obj.service.session() as session:
        data = tokens.described(session)
    if as_json:
        _emit_json(data)
        return
    for item in data:
        state = f"revoked {item['revoked_at']}" if item["revoked_at"] else "active"
        click.echo(f"{item['name']:<24} created {item['created_at']}  {state}")


@tokens_group.command("revoke")
@click.argument("name")
@pass_ctx
def tokens_revoke(obj: Context, name: str) -> None:
    """Revoke a token at once."""
    from scheduler.app import tokens

    with obj.service.session() as session:
        tokens.revoke(session, name, now=obj.clock.now())
    click.echo(f"token {name!r} revoked")


@cli.group()
def db() -> None:
    """The database schema."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="Target revision.")
@pass_ctx
def db_upgrade(obj: Context, revision: str) -> None:
    """Apply schema migrations (also done at start when needed)."""
    from scheduler.db import engine_for
    from scheduler.migrate import upgrade

    engine = engine_for(obj.settings.database_url)
    try:
        before, after = upgrade(engine, revision)
    finally:
        engine.dispose()
    click.echo(f"database at revision {after}" + (f" (was {before})" if before != after else ""))


@cli.command("config")
@pass_ctx
def show_config(obj: Context) -> None:
    """Print the settings in force (database password hidden) as JSON."""
    _emit_json(obj.settings.describe())


# ---------------------------------------------------------------- the one error mapping


def _at_least_warning(level: str) -> str:
    return level if level in ("debug", "warning", "error") else "warning"


def _database_unavailable(exc: BaseException) -> UaSchedulerError | None:
    """The database driver's "cannot connect" as ``Unavailable``; None for anything else."""
    from sqlalchemy.exc import OperationalError

    if isinstance(exc, OperationalError):
        return Unavailable(f"database: {exc.orig}")
    return None


TRANSLATE: tuple[Callable[[BaseException], UaSchedulerError | None], ...] = (_database_unavailable,)
"""Third-party errors that are expected failures, translated into the hierarchy at this boundary."""
EXIT_STATUS: dict[type[UaSchedulerError], int] = {UaSchedulerError: 1}
"""Exit status by kind of error (the most specific class listed wins); usage errors are click's 2."""
UNEXPECTED_STATUS = 1


def exit_status(exc: UaSchedulerError) -> int:
    return next(EXIT_STATUS[kind] for kind in type(exc).__mro__ if kind in EXIT_STATUS)


def main(argv: list[str] | None = None) -> None:
    """Entry point: an expected error is one line on stderr and its exit status, never a traceback."""
    keep_private()
    try:
        cli.main(args=argv, prog_name="ua-scheduler", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        raise SystemExit(130) from None
    except click.ClickException as exc:
        exc.show()
        raise SystemExit(exc.exit_code) from None
    except SystemExit:
        raise
    except UaSchedulerError as exc:
        _fail(exc, exit_status(exc))
    except Exception as exc:
        translated = next((found for t in TRANSLATE if (found := t(exc)) is not None), None)
        if translated is not None:
            _fail(translated, exit_status(translated))
        _unexpected(exc)
    raise SystemExit(0)


def _fail(exc: UaSchedulerError, status: int) -> None:
    message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    click.echo(f"ua-scheduler: error: {REDACTOR.redact(message)}", err=True)
    raise SystemExit(status) from None


def _unexpected(exc: Exception) -> None:
    import structlog

    structlog.get_logger("ua_scheduler.cli").debug("cli.failed", exc_info=exc)
    first = (str(exc).splitlines() or [""])[0]
    click.echo(
        f"ua-scheduler: error: unexpected {type(exc).__name__}: {REDACTOR.redact(first)} "
        '(set log_level = "debug" for the traceback)',
        err=True,
    )
    raise SystemExit(UNEXPECTED_STATUS) from None


if __name__ == "__main__":  # pragma: no cover
    main()
