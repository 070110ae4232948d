"""The ``ua-scheduler`` command. Its commands, flags and JSON fields are a stable contract."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
import structlog
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session, col, select

from actions import counters, drafts, imports, store, views
from actions.clock import SystemClock
from actions.deadlines import DateWindow
from actions.errors import ActionsError, InvalidInputError
from actions.models import Action, ActionStatus, Channel, OutboxStatus
from actions.specs import ActionSpec, ReportCounts
from actions.tally import count
from config.errors import SettingsError
from config.settings import Settings, load_settings
from jobs import outbox
from jobs.channels import check_name, check_url, select_channels
from jobs.errors import ChannelError, JobsError
from jobs.notify import Message, send_one
from jobs.report import FORMATS, TallyFormat, render_bytes
from jobs.secrets import Redactor
from scheduler import tokens
from scheduler.files import keep_private, readable_by_others, write_private
from scheduler.logs import configure
from scheduler.service import Service, open_service

log = structlog.get_logger("ua_scheduler.cli")
REDACTOR = Redactor()
"""One per process: every channel URL met is registered, and every error line passes through it."""


class Context:
    """Settings load at once (bad settings stop everything); the database opens on first use."""

    def __init__(self, settings: Settings, redactor: Redactor) -> None:
        self.settings = settings
        self.redactor = redactor
        self._service: Service | None = None

    @property
    def service(self) -> Service:
        if self._service is None:
            self._service = open_service(self.settings, clock=SystemClock(), redactor=self.redactor)
        return self._service

    def close(self) -> None:
        if self._service is not None:
            self._service.engine.dispose()


pass_ctx = click.make_pass_decorator(Context)


def _emit_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


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
@click.version_option(package_name="ua-scheduler")
@click.pass_context
def cli(ctx: click.Context, config_file: Path | None, log_format: str | None) -> None:
    """Deadline-aware scheduler for Urgent Action campaigns."""
    settings = load_settings(config_file)
    fmt = log_format or settings.log_format
    # Commands other than ``run`` answer on stdout; their logs show only what went wrong.
    level = settings.log_level if ctx.invoked_subcommand == "run" else _at_least_warning(settings.log_level)
    configure(REDACTOR, fmt, level)  # type: ignore[arg-type]
    ctx.obj = Context(settings, REDACTOR)
    ctx.call_on_close(ctx.obj.close)


# ---------------------------------------------------------------- run


@cli.command()
@click.option("--demo", is_flag=True, help="Add a demo action due in 3 minutes and a log:// channel.")
@click.option("--drain", is_flag=True, help="Do what is due now, then exit (for cron and tests).")
@click.option("--no-http", is_flag=True, help="Do not serve HTTP (pages, API, health).")
@pass_ctx
def run(obj: Context, demo: bool, drain: bool, no_http: bool) -> None:
    """Run the service: reminders, closes and tallies as their time comes."""
    from scheduler.daemon import drain as drain_now
    from scheduler.daemon import serve

    service = obj.service
    _warn_if_readable(service)
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


def _warn_if_readable(service: Service) -> None:
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
    spec = _validated(
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
        action = store.create_action(
            session,
            spec,
            now=service.clock.now(),
            default_timezone=obj.settings.timezone,
            default_offsets=obj.settings.reminders,
            window=DateWindow.of(obj.settings, service.clock.now()),
        )
        session.commit()
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
    if draft:
        if dry_run:
            raise click.UsageError("--draft writes no action: give --draft or --dry-run, not both")
        _write_drafts(files, as_json, max_bytes=obj.settings.import_max_bytes)
        return
    service = obj.service
    results: list[dict[str, Any]] = []
    for path in files:
        try:
            loaded = imports.load(path, max_bytes=obj.settings.import_max_bytes)
            with service.session() as session:
                result = imports.apply(
                    session,
                    loaded,
                    now=service.clock.now(),
                    default_timezone=obj.settings.timezone,
                    default_offsets=obj.settings.reminders,
                    window=DateWindow.of(obj.settings, service.clock.now()),
                )
                if dry_run:
                    session.rollback()
                else:
                    session.commit()
            results.append(result.to_json(with_action=dry_run))
        except (ActionsError, IntegrityError) as exc:
            results.append({"file": str(path), "ok": False, "error": str(exc).splitlines()[0]})
    if as_json:
        _emit_json({"dry_run": dry_run, "results": results})
    else:
        for entry in results:
            _echo_import(entry, dry_run)
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
    for line in views.describe(entry["action"]) if "action" in entry else []:
        click.echo(f"  {line}")
    for name, change in entry["changes"].items():
        click.echo(f"  {name}: {_short(change['old'])} -> {_short(change['new'])}")
    for warning in entry["warnings"]:
        click.echo(f"  warning: {warning}")


def _write_drafts(files: tuple[Path, ...], as_json: bool, *, max_bytes: int) -> None:
    """``actions import --draft``: one draft action file per document, never over an existing one."""
    results: list[dict[str, Any]] = []
    for path in files:
        try:
            made = drafts.build_draft(path, max_bytes=max_bytes)
            write_private(made.path, made.text.encode(), field="draft")
        except ActionsError as exc:
            results.append({"file": str(path), "ok": False, "error": str(exc).splitlines()[0]})
            continue
        results.append(
            {"file": str(path), "ok": True, "draft": str(made.path), "check": made.check, "todo": made.todo}
        )
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
    with obj.service.session() as session:
        rows = store.list_actions(session, None if status == "all" else ActionStatus(status))
        data = [views.action_summary(a) for a in rows]
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
    with obj.service.session() as session:
        data = views.action_detail(session, store.get_action(session, ua))
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
    service = obj.service
    with service.session() as session:
        action = store.get_action(session, ua)
        store.extend_later(
            session,
            action,
            deadline,
            now=service.clock.now(),
            default_offsets=obj.settings.reminders,
            source="cli",
            window=DateWindow.of(obj.settings, service.clock.now()),
        )
        session.commit()
        click.echo(f"extended UA {action.ua} to {views.iso(action.deadline)}")


@actions.command("close")
@click.argument("ua")
@pass_ctx
def actions_close(obj: Context, ua: str) -> None:
    """Close now; the final tally is built at once and delivered by the running service."""
    from jobs.due import close_by_staff

    service = obj.service
    with service.session() as session:
        action = store.get_action(session, ua)
        close_by_staff(service.work(), session, action, service.clock.now())
        session.commit()
        click.echo(f"closed UA {action.ua}")


@actions.command("cancel")
@click.argument("ua")
@pass_ctx
def actions_cancel(obj: Context, ua: str) -> None:
    """Cancel: no more reminders and no final tally."""
    service = obj.service
    with service.session() as session:
        action = store.get_action(session, ua)
        store.cancel_action(session, action, now=service.clock.now(), reason="cancelled by staff")
        session.commit()
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
    counts = _validated(
        ReportCounts, letter=letters, email=emails, fax=faxes, call=calls, post=posts, other=other
    )
    service = obj.service
    with service.session() as session:
        action = store.get_action(session, ua)
        report = store.add_report(
            session, action, counts, country=country, now=service.clock.now(), source="cli"
        )
        session.commit()
        late = " (late: counted apart from the total)" if report.late else ""
        click.echo(f"recorded {counts.total()} action(s) for UA {action.ua}{late}")


# ---------------------------------------------------------------- channels


@cli.group()
def channels() -> None:
    """Notification channels (apprise URLs with tags)."""


@channels.command("add")
@click.argument("name")
@click.argument("url")
@click.option("--tag", "tags", multiple=True, help="Tags this channel listens to (repeatable).")
@pass_ctx
def channels_add(obj: Context, name: str, url: str, tags: tuple[str, ...]) -> None:
    """Add a channel; the URL is stored as given and only ever shown masked."""
    obj.redactor.add_url(url)
    check_name(name)
    check_url(url)
    service = obj.service
    with service.session() as session:
        if session.exec(select(Channel).where(Channel.name == name)).first() is not None:
            raise ChannelError(f"channel {name!r} already exists: remove it first")
        session.add(Channel(name=name, url=url, tags=sorted(set(tags)), created_at=service.clock.now()))
        session.commit()
    click.echo(f"added channel {name} ({', '.join(sorted(set(tags))) or 'no tags'})")


@channels.command("list")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def channels_list(obj: Context, as_json: bool) -> None:
    """List channels in masked form."""
    with obj.service.session() as session:
        refs = obj.service.channels(session)
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
    service = obj.service
    with service.session() as session:
        found = [c for c in service.channels(session) if c.name == name]
    if not found:
        raise ChannelError(f"no channel {name!r}: see `ua-scheduler channels list`")
    now = views.iso(service.clock.now())
    outcome = send_one(
        found[0],
        Message(
            title="ua-scheduler test message",
            body=f"This channel works. Sent by ua-scheduler at {now}.",
            key=f"test-{name}-{now}",
        ),
    )
    if not outcome.ok:
        raise ChannelError(f"channel {name!r} ({found[0].masked}) did not take the test message")
    click.echo(f"sent a test message to {name}")


@channels.command("remove")
@click.argument("name")
@pass_ctx
def channels_remove(obj: Context, name: str) -> None:
    """Remove a channel added with the CLI."""
    with obj.service.session() as session:
        row = session.exec(select(Channel).where(col(Channel.name) == name)).first()
        if row is None:
            raise ChannelError(
                f"no channel {name!r} in the database (channels from the channels_file are edited there)"
            )
        session.delete(row)
        session.commit()
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
@pass_ctx
def tally(
    obj: Context, ua: str, fmt: TallyFormat, language: str | None, output: Path | None, verify: bool
) -> None:
    """The tally of an action: final once closed, provisional before; letters to its targets."""
    with obj.service.session() as session:
        action = store.get_action(session, ua)
        if verify:
            _verify_counters(session, action)
            return
        content = render_bytes(count(session, action, now=obj.service.clock.now()), fmt, language=language)
    if output is not None:
        write_private(output, content)
        click.echo(f"wrote {output}", err=True)
        return
    if fmt == "pdf" and sys.stdout.isatty():
        raise InvalidInputError("output", "a PDF is binary: give --output FILE or redirect stdout")
    sys.stdout.flush()
    sys.stdout.buffer.write(content)
    sys.stdout.buffer.flush()


def _verify_counters(session: Session, action: Action) -> None:
    assert action.id is not None
    kept = counters.running(session, action.id)
    differences = kept.differences(counters.recount(session, action.id))
    if differences:
        click.echo(
            f"ua-scheduler: UA {action.ua}: the running totals differ from a recount of the reports "
            f"(kept != recounted): {'; '.join(differences)}",
            err=True,
        )
        raise SystemExit(1)
    click.echo(
        f"UA {action.ua}: the running totals match a recount of the reports: {kept.total} action(s) "
        f"in {kept.reports} report(s), {kept.late} late, {kept.held} held for review"
    )


@cli.command()
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def plan(obj: Context, as_json: bool) -> None:
    """The timetable: what will be sent when, to which tags."""
    with obj.service.session() as session:
        entries = views.timetable(session, obj.settings)
        known = {c.name for c in obj.service.channels(session)}
        for entry in entries:
            entry["channels"] = [
                c.name
                for c in select_channels(obj.service.channels(session), entry["tags"])
                if c.name in known
            ]
    if as_json:
        _emit_json(entries)
        return
    if not entries:
        click.echo("nothing planned")
    for entry in entries:
        to = ", ".join(entry["channels"]) or "no channel"
        click.echo(f"{entry['at']}  UA {entry['ua']:<8} {entry['what']:<32} → {to}")


@cli.group(invoke_without_command=True)
@click.option(
    "--status",
    type=click.Choice([s.value for s in OutboxStatus]),
    help="Only deliveries in this state (failed: gave up; dropped: too late or channel gone).",
)
@click.option("--limit", type=click.IntRange(1, 10_000), default=200, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def deliveries(ctx: click.Context, status: str | None, limit: int, as_json: bool) -> None:
    """The delivery log (the outbox), newest first; `deliveries retry ID` sends one again."""
    if ctx.invoked_subcommand is not None:
        return
    obj = ctx.find_object(Context)
    assert obj is not None
    with obj.service.session() as session:
        rows = outbox.listed(session, OutboxStatus(status) if status else None, limit)
        data = [
            {
                "id": row.id,
                "key": row.key,
                "kind": row.kind,
                "channel": row.channel,
                "status": row.status.value,
                "attempts": row.attempts,
                "created_at": views.iso(row.created_at),
                "next_attempt_at": views.iso(row.next_attempt_at),
                "sent_at": views.iso(row.sent_at),
                "owner": row.claimed_by,
                "last_error": obj.redactor.redact(row.last_error) if row.last_error else None,
            }
            for row in rows
        ]
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
    with obj.service.session() as session:
        row = outbox.retry(session, delivery_id, now=obj.service.clock.now())
        session.commit()
        click.echo(f"delivery {delivery_id} ({row.key}) queued again")


@cli.group("tokens")
def tokens_group() -> None:
    """Staff tokens for the HTTP API and the dashboard."""


@tokens_group.command("create")
@click.argument("name")
@pass_ctx
def tokens_create(obj: Context, name: str) -> None:
    """Make a token and print it once: only its hash is stored."""
    with obj.service.session() as session:
        token = tokens.create(session, name, now=obj.service.clock.now())
        session.commit()
    click.echo(token)
    click.echo(f"token {name!r} created: keep it now, it cannot be shown again", err=True)


@tokens_group.command("list")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def tokens_list(obj: Context, as_json: bool) -> None:
    """List tokens (names and dates, never the tokens)."""
    with obj.service.session() as session:
        data = [
            {
                "name": t.name,
                "created_at": views.iso(t.created_at),
                "last_used_at": views.iso(t.last_used_at),
                "revoked_at": views.iso(t.revoked_at),
            }
            for t in tokens.listed(session)
        ]
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
    with obj.service.session() as session:
        tokens.revoke(session, name, now=obj.service.clock.now())
        session.commit()
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


# ---------------------------------------------------------------- plumbing


def _at_least_warning(level: str) -> str:
    return level if level in ("warning", "error") else "warning"


def _validated(model: Any, **values: Any) -> Any:
    from pydantic import ValidationError

    try:
        return model.model_validate({k: v for k, v in values.items() if v is not None})
    except ValidationError as exc:
        error = exc.errors(include_url=False, include_input=False)[0]
        field = ".".join(str(p) for p in error["loc"])
        raise InvalidInputError(field, str(error["msg"]).removeprefix("Value error, ")) from None


EXPECTED = (ActionsError, JobsError, SettingsError, OperationalError)


def main(argv: list[str] | None = None) -> None:
    """Entry point: expected errors become one line on stderr and exit status 1."""
    keep_private()
    try:
        cli.main(args=argv, prog_name="ua-scheduler", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        raise SystemExit(130) from None
    except click.ClickException as exc:
        exc.show()
        raise SystemExit(exc.exit_code) from None
    except EXPECTED as exc:
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if isinstance(exc, OperationalError):
            message = f"database: {exc.orig}"
        click.echo(f"ua-scheduler: error: {_redact(message)}", err=True)
        raise SystemExit(1) from None
    except SystemExit:
        raise
    raise SystemExit(0)


def _redact(text: str) -> str:
    return REDACTOR.redact(text)


if __name__ == "__main__":  # pragma: no cover
    main()
