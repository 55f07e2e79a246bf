"""The `ddj` command: parses arguments and calls the Python API (ddj.Workspace)."""

from __future__ import annotations

import functools
import os
import sys
import threading
from datetime import date, datetime
from pathlib import Path

import click

from ddj.config import FORMATS, resolve_workspace
from ddj.errors import DdjError
from ddj.export import EXPORT_FORMATS, EXPORTS
from ddj.govern import audit as audit_trail
from ddj.workspace import Workspace

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def _say(message: str) -> None:
    click.echo(message, err=True)


def _workspace_option(f):
    return click.option(
        "--workspace",
        "-w",
        "workspace",
        type=click.Path(file_okay=False),
        default=None,
        help="Workspace folder (default: $DDJ_WORKSPACE, else the current folder).",
    )(f)


def _open(workspace: str | None) -> Workspace:
    return Workspace(resolve_workspace(workspace))


def _friendly(f):
    """Turn ddj's errors into one line on stderr and exit code 1."""

    @functools.wraps(f)
    def wrapper(*args, **kwargs):
        try:
            return f(*args, **kwargs)
        except DdjError as exc:
            click.echo(f"error: {exc.render()}", err=True)
            sys.exit(1)

    return wrapper


@click.group(context_settings=CONTEXT)
@click.version_option(package_name="ddj")
def main() -> None:
    """ddj: match records across jail, police, EMS, ER, behavioral health and shelters to find
    the people who cycle through them.

    \b
    Example, end to end:
      ddj init county && cd county     # then list your extracts in ddj.toml
      ddj ingest && ddj link && ddj identify && ddj report --out report.html
    """


@main.command(context_settings=CONTEXT)
@click.argument("directory", default=".", type=click.Path(file_okay=False))
@_friendly
def init(directory: str) -> None:
    """Create a workspace: a commented ddj.toml and an empty ddj.duckdb.

    \b
    Example:
      ddj init county
    """
    ws = Workspace.init(directory)
    ws.close()
    click.echo(f"created {ws.root / 'ddj.toml'} and {ws.root / 'ddj.duckdb'}")
    click.echo("next: list your extracts under [[sources]] in ddj.toml, then run `ddj ingest`")


@main.command(context_settings=CONTEXT)
@click.argument("path", required=False, type=click.Path())
@click.option(
    "--source", "source", help="Ingest only this configured source (or name an ad-hoc PATH)."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="table",
    show_default=True,
    help="Format of PATH.",
)
@click.option("--system", help="System of PATH, e.g. jail_booking, police_call, shelter.")
@click.option(
    "--profile",
    help="Mapping profile for PATH: a built-in name, a [profiles.NAME] "
    "in ddj.toml, or a .toml file.",
)
@_workspace_option
@_friendly
def ingest(path, source, fmt, system, profile, workspace) -> None:
    """Load extracts into the workspace; bad rows go to quarantine.

    Without PATH, ingests every source in ddj.toml (or only --source NAME). Re-ingesting a file
    adds nothing; a changed row is stored as a new version.

    \b
    Examples:
      ddj ingest
      ddj ingest --source county_jail
      ddj ingest extracts/bookings.csv --format table --system jail_booking \\
          --profile jail_bookings --source county_jail
    """
    with _open(workspace) as ws:
        summaries = ws.ingest(
            source=source, path=path, format=fmt, system=system, profile=profile, progress=_say
        )
    for summary in summaries:
        click.echo(summary.line())
    quarantined = sum(s.rows_quarantined for s in summaries)
    if quarantined:
        click.echo(f"{quarantined} rows quarantined: see `ddj quarantine`")


@main.command(context_settings=CONTEXT)
@click.option(
    "--mode",
    type=click.Choice(["auto", "full", "incremental"]),
    default="auto",
    show_default=True,
    help="auto: link a small new batch against the existing persons with the stored "
    "model, retrain on everything otherwise.",
)
@_workspace_option
@_friendly
def link(mode, workspace) -> None:
    """Link person records across all sources into persons with stable ids (Splink).

    \b
    Examples:
      ddj link
      ddj link --mode full
    """
    with _open(workspace) as ws:
        summary = ws.link(progress=_say, mode=mode)
    click.echo(summary.line())


@main.command(context_settings=CONTEXT)
@click.option("--limit", default=20, show_default=True, help="Pairs to show.")
@click.option(
    "--reviewer",
    default=lambda: os.environ.get("USER", "reviewer"),
    show_default="$USER",
    help="Who decides (stored with each decision).",
)
@click.option("--list", "list_only", is_flag=True, help="Only list the uncertain pairs.")
@click.option(
    "--decide",
    nargs=3,
    metavar="KEY_A KEY_B link|not_link",
    default=None,
    help="Record one decision without prompting.",
)
@click.option("--note", default=None, help="A note stored with --decide.")
@_workspace_option
@_friendly
def review(limit, reviewer, list_only, decide, note, workspace) -> None:
    """Review pairs the model is unsure of: link, not link, or skip.

    Decisions are stored with who and when; the next `ddj link` takes every "link" as given
    and never joins a "not link" pair.

    \b
    Examples:
      ddj review --reviewer alice
      ddj review --list --limit 50
      ddj review --decide "county_jail|1001" "police_cad|MN77" not_link --note "twin"
    """
    with _open(workspace) as ws:
        if decide:
            ws.decide(decide[0], decide[1], decide[2], reviewer=reviewer, note=note)
            click.echo(f"recorded {decide[2]} for {decide[0]} / {decide[1]}")
            return
        items = ws.review_queue(limit)
        if not items:
            click.echo("no uncertain pairs to review")
            return
        for n, item in enumerate(items, 1):
            click.echo(_render_pair(n, len(items), item))
            if list_only:
                continue
            answer = click.prompt(
                "[l]ink, [n]ot link, [s]kip, [q]uit",
                default="s",
                type=click.Choice(["l", "n", "s", "q"]),
                show_choices=False,
            )
            if answer == "q":
                break
            if answer in ("l", "n"):
                decision = "link" if answer == "l" else "not_link"
                ws.decide(item.record_key_l, item.record_key_r, decision, reviewer=reviewer)
                click.echo(f"  recorded: {decision}")


def _render_pair(n: int, total: int, item) -> str:
    state = "now linked" if item.same_person_now else "now apart"
    lines = [
        f"\npair {n}/{total}: match probability {item.match_probability:.3f} ({state})",
        f"  {'':<16} {item.record_key_l:<34} {item.record_key_r:<34}",
    ]
    for name in item.left:
        a, b = item.left[name], item.right[name]
        mark = " " if a == b or a is None or b is None else "*"
        lines.append(f"{mark} {name:<16} {str(a or ''):<34} {str(b or ''):<34}")
    return "\n".join(lines)


@main.group(context_settings=CONTEXT)
def listen() -> None:
    """Receive a live feed into the workspace.

    \b
    Example:
      ddj listen hl7 --port 2575 --source county_er --system ed
    """


@listen.command("hl7", context_settings=CONTEXT)
@click.option("--port", default=2575, show_default=True, help="TCP port for MLLP.")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to bind (127.0.0.1 keeps the feed on this machine).",
)
@click.option("--source", required=True, help="Source name the messages are stored under.")
@click.option("--system", default="ed", show_default=True, help="System of the source.")
@_workspace_option
@_friendly
def listen_hl7(port, host, source, system, workspace) -> None:
    """Receive HL7 v2 ADT messages over MLLP; ACK each only after it is stored.

    AA once a message is committed to the workspace; AR with the reason when it cannot be
    read (it is kept in quarantine); AE when it could not be stored (the sender resends).
    Ctrl-C stops. While listening, the workspace is busy for other ddj commands.

    \b
    Example:
      ddj listen hl7 --port 2575 --source county_er --system ed
    """
    with _open(workspace) as ws:
        listener = ws.hl7_listener(source=source, system=system, host=host, port=port)
        thread = threading.Thread(target=listener.run, daemon=True)
        thread.start()
        listener.ready.wait(10)
        click.echo(
            f"listening for HL7 v2 over MLLP on {host}:{listener.port} "
            f"(source {source}); Ctrl-C stops",
            err=True,
        )
        try:
            while thread.is_alive():
                thread.join(5)
                stats = listener.stats
                click.echo(
                    f"received {stats.received}, stored {stats.stored}, rejected {stats.rejected}",
                    err=True,
                )
        except KeyboardInterrupt:
            pass
        finally:
            listener.stop()
            thread.join(30)
        stats = listener.stats
        click.echo(
            f"stopped: received {stats.received}, stored {stats.stored}, rejected {stats.rejected}"
        )


@main.command(context_settings=CONTEXT)
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Evaluate the rules as of this day (default: the newest event's day).",
)
@click.option(
    "--print-needs",
    is_flag=True,
    help="Print the built-in needs file (to copy, edit and name in ddj.toml) and stop.",
)
@_workspace_option
@_friendly
def identify(as_of, print_needs, workspace) -> None:
    """Flag each person's needs with their evidence, and find the cohorts' members (frequent
    utilizers) by the rules in ddj.toml.

    \b
    Example:
      ddj identify --as-of 2025-12-31
      ddj identify --print-needs > needs.toml   # then [identify] needs = "needs.toml"
    """
    if print_needs:
        from ddj.identify import default_needs_text

        click.echo(default_needs_text(), nl=False)
        return
    with _open(workspace) as ws:
        summary = ws.identify(as_of.date() if as_of else None)
    click.echo(summary.line())


@main.command(context_settings=CONTEXT)
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="HTML file to write.")
@click.option("--top", "top_n", default=50, show_default=True, help="Cohort members listed.")
@click.option(
    "--public",
    is_flag=True,
    help="For publication: name nobody, hide small counts (with complementary suppression).",
)
@click.option(
    "--threshold", default=11, show_default=True, help="Smallest count shown in --public."
)
@_workspace_option
@_friendly
def report(out, top_n, public, threshold, workspace) -> None:
    """Write a self-contained HTML report (works offline).

    \b
    Examples:
      ddj report --out report.html                  # for the team: names cohort members
      ddj report --out public.html --public         # for the public: suppressed aggregates
    """
    with _open(workspace) as ws:
        path = ws.report(out, top_n=top_n, public=public, threshold=threshold)
    click.echo(f"wrote {path}")


@main.command(context_settings=CONTEXT)
@click.argument("what", type=click.Choice(EXPORTS))
@click.option(
    "--format", "fmt", type=click.Choice(EXPORT_FORMATS), default="csv", show_default=True
)
@click.option("--out", required=True, type=click.Path(dir_okay=False))
@click.option(
    "--role",
    default="admin",
    show_default=True,
    help="Export what this policy role may see.",
)
@_workspace_option
@_friendly
def export(what, fmt, out, role, workspace) -> None:
    """Export records (source,source_person_id,person_id), persons or the cohort, as the policy
    lets ROLE see them (sources under a live agreement, identities, Part 2 only with consent).

    \b
    Examples:
      ddj export records --format csv --out links.csv
      ddj export cohort --format xlsx --out cohort.xlsx
    """
    with _open(workspace) as ws:
        n = ws.export(what, fmt, out, role=role)
    click.echo(f"wrote {n} rows to {out}")


@main.command(context_settings=CONTEXT)
@click.option("--source", help="Only this source.")
@click.option("--limit", default=200, show_default=True, help="Rows shown (0 = all).")
@_workspace_option
@_friendly
def quarantine(source, limit, workspace) -> None:
    """List rejected rows: source, file, row, field, value and reason.

    \b
    Example:
      ddj quarantine --source county_jail
    """
    with _open(workspace) as ws:
        rows = ws.quarantine(source, limit or None)
    if not rows:
        click.echo("no rows in quarantine")
        return
    for r in rows:
        value = "" if r["value"] is None else f" value={r['value']!r}"
        click.echo(
            f"{r['source']}  {Path(r['file']).name}  row {r['row_number']}  "
            f"field={r['field'] or '-'}{value}  {r['reason']}"
        )


@main.command(context_settings=CONTEXT)
@_workspace_option
@_friendly
def status(workspace) -> None:
    """Counts per source, table and stage.

    \b
    Example:
      ddj status
    """
    with _open(workspace) as ws:
        info = ws.status()
    click.echo(f"workspace {info['workspace']}")
    click.echo("sources:")
    if not info["sources"]:
        click.echo("  (nothing ingested yet)")
    for s in info["sources"]:
        click.echo(
            f"  {s['source']:<24} {s['system']:<18} records {s['records']:>8}  "
            f"events {s['events']:>8}  quarantined {s['quarantined']:>5}"
        )
    click.echo("tables:")
    for table, n in info["tables"].items():
        click.echo(f"  {table:<16} {n:>10}")
    click.echo("stages (last run):")
    for stage, when in info["stages"].items():
        click.echo(f"  {stage:<9} {when or 'never'}")


@main.command(context_settings=CONTEXT)
@click.option("--port", default=8000, show_default=True, help="TCP port.")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to bind; loopback unless you put it behind a TLS proxy.",
)
@_workspace_option
@_friendly
def serve(port, host, workspace) -> None:
    """Serve the dashboard (login required; create accounts with `ddj user add`).

    \b
    Example:
      ddj serve --port 8000      # then open http://127.0.0.1:8000/
    """
    ws = _open(workspace)
    ws.note_policy()
    if not ws.users():
        raise DdjError(
            "no accounts yet, so nobody could log in", fix="run `ddj user add NAME --role admin`"
        )
    click.echo(f"dashboard at http://{host}:{port}/  (Ctrl-C to stop)")
    try:
        ws.serve(host=host, port=port)
    finally:
        ws.close()


@main.group(context_settings=CONTEXT)
def user() -> None:
    """Dashboard accounts.

    \b
    Example:
      echo 'a long passphrase here' | ddj user add alice --role case_manager
    """


@user.command("add", context_settings=CONTEXT)
@click.argument("name")
@click.option("--role", required=True, help="The account's role, one of the policy's roles.")
@_workspace_option
@_friendly
def user_add(name, role, workspace) -> None:
    """Create an account; the password is read from standard input (prompted on a terminal).

    \b
    Example:
      ddj user add alice --role case_manager
    """
    if sys.stdin.isatty():
        password = click.prompt("password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    with _open(workspace) as ws:
        account = ws.add_user(name, password, role)
    click.echo(f"account {account.username} created with role {account.role}")


@user.command("list", context_settings=CONTEXT)
@_workspace_option
@_friendly
def user_list(workspace) -> None:
    """List accounts, their roles and whether they are locked.

    \b
    Example:
      ddj user list
    """
    with _open(workspace) as ws:
        accounts = ws.users()
    if not accounts:
        click.echo("no accounts")
    for a in accounts:
        state = (
            "disabled"
            if a.disabled
            else (f"locked until {a.locked_until:%H:%M}" if a.locked_until else "active")
        )
        click.echo(f"{a.username:<24} {a.role:<16} {state}")


def _when(ctx, param, value: str | None) -> date | datetime | None:
    """A date (the whole day) or a date and time, as written in ISO form."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2026-11-30") from None


@main.group(context_settings=CONTEXT, invoke_without_command=True)
@click.option("--person", help="Only rows that showed or exported this person id.")
@click.option("--actor", help="Only this account.")
@click.option("--since", callback=_when, help="From this date (or date and time), UTC.")
@click.option("--until", callback=_when, help="To this date (the whole day) or time, UTC.")
@click.option(
    "--action",
    "actions",
    multiple=True,
    type=click.Choice(list(audit_trail.ACTIONS)),
    help="Only these actions (repeatable; default: views and exports).",
)
@click.option("--all", "all_actions", is_flag=True, help="Every action: logins, policy, ...")
@click.option("--summary", is_flag=True, help="One line per account and person, with counts.")
@click.option("--limit", default=200, show_default=True, help="Latest rows shown (0 = all).")
@_workspace_option
@click.pass_context
@_friendly
def audit(ctx, person, actor, since, until, actions, all_actions, summary, limit, workspace):
    """Who looked at whom, and what was exported, from the hash-chained audit trail.

    \b
    Example:
      ddj audit --person P-3f2a9c --since 2026-11-01
      ddj audit --actor alice --summary
      ddj audit verify
    """
    ctx.obj = workspace
    if ctx.invoked_subcommand:
        return
    with _open(workspace) as ws:
        if summary:
            lines = [
                s.line()
                for s in audit_trail.report(
                    ws.store, actor=actor, person=person, since=since, until=until
                )
            ]
        else:
            wanted = None if all_actions else (actions or audit_trail.ACCESS_ACTIONS)
            rows = audit_trail.entries(
                ws.store,
                actor=actor,
                person=person,
                actions=wanted,
                since=since,
                until=until,
                limit=limit or None,
            )
            lines = [e.line() for e in rows]
    for line in lines or ["no audit rows match"]:
        click.echo(line)


@audit.command("verify", context_settings=CONTEXT)
@click.option(
    "--anchor", help="SEQ:HASH printed by an earlier verify and kept outside the database."
)
@_workspace_option
@click.pass_context
@_friendly
def audit_verify(ctx, anchor, workspace) -> None:
    """Check the audit trail's hash chain: exit 0 when intact, 1 naming the first broken row.

    Prints the head (SEQ:HASH); keep it outside the database and pass it as --anchor later to
    also catch a chain rebuilt from the start or rows removed from the end.

    \b
    Example:
      ddj audit verify
      ddj audit verify --anchor 1200:9f86d081884c7d65...
    """
    expected = None
    if anchor:
        seq, _, digest = anchor.partition(":")
        if not seq.isdigit() or len(digest) != 64:
            raise click.BadParameter("expected SEQ:HASH as printed by `ddj audit verify`")
        expected = (int(seq), digest.lower())
    with _open(workspace or ctx.obj) as ws:
        result = audit_trail.verify(ws.store, anchor=expected)
    if not result.ok:
        click.echo(f"error: {result.line()}", err=True)
        sys.exit(1)
    click.echo(result.line())


@main.command(context_settings=CONTEXT)
@click.option("--dry-run", is_flag=True, help="Only count what would be removed.")
@click.option(
    "--today",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="Count retention back from this day (default: today).",
)
@_workspace_option
@_friendly
def purge(dry_run, today, workspace) -> None:
    """Remove records and contacts older than the agreements' retention_days allow.

    \b
    Example:
      ddj purge --dry-run      # see what would go; then: ddj purge
    """
    with _open(workspace) as ws:
        summary = ws.purge(today=today.date() if today else None, dry_run=dry_run)
    for line in summary.lines():
        click.echo(line)


@main.group(context_settings=CONTEXT)
def policy() -> None:
    """The data-sharing policy (policy.toml): agreements, roles and what each role sees.

    \b
    Example:
      ddj policy check
    """


@policy.command("check", context_settings=CONTEXT)
@_workspace_option
@_friendly
def policy_check(workspace) -> None:
    """Validate policy.toml and print, per agreement and role, what it allows today.

    \b
    Example:
      ddj policy check --workspace county
    """
    from datetime import date

    ws = _open(workspace)
    p = ws.policy
    if ws.note_policy():
        click.echo("the policy differs from the one last recorded: recorded in the audit trail")
    today = date.today()
    click.echo(f"policy {p.where} (version {p.version or '-'}, sha256 {p.digest[:12]})")
    for a in p.agreements:
        state = "EXPIRED" if a.expires < today else "in force"
        covers = ", ".join([*a.sources, *(f"system {s}" for s in a.systems)])
        keep = f", records kept {a.retention_days} days" if a.retention_days else ""
        click.echo(f"  agreement {a.name!r} ({a.kind}): {state} until {a.expires}{keep}")
        click.echo(f"    covers {covers}; purpose: {a.purpose}")
    for r in p.roles.values():
        flags = [
            f for f in ("aggregate_only", "criminal_justice", "part2", "review") if getattr(r, f)
        ]
        click.echo(f"  role {r.name}: {r.description} [{', '.join(flags) or 'no flags'}]")
        for key, groups in [*r.systems.items(), *r.sources.items()]:
            click.echo(f"    {key}: {', '.join(sorted(groups))}")


@main.group(context_settings=CONTEXT)
def consent() -> None:
    """42 CFR Part 2 consents: who may receive a person's Part 2 records.

    \b
    Example:
      ddj consent add "behavioral_health|C0001" --roles clinician --given 2026-01-05
    """


@consent.command("add", context_settings=CONTEXT)
@click.argument("record")
@click.option("--roles", required=True, help="Comma-separated roles the consent names.")
@click.option("--purpose", default="treatment and care coordination", show_default=True)
@click.option("--given", "given_on", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--expires", "expires_on", type=click.DateTime(["%Y-%m-%d"]), default=None)
@click.option("--by", "recorded_by", default=lambda: os.environ.get("USER", "unknown"))
@_workspace_option
@_friendly
def consent_add(record, roles, purpose, given_on, expires_on, recorded_by, workspace) -> None:
    """Record a consent for the Part 2 record SOURCE|SOURCE_PERSON_ID.

    \b
    Example:
      ddj consent add "behavioral_health|C0001" --roles clinician --given 2026-01-05 \\
          --expires 2027-01-05
    """
    with _open(workspace) as ws:
        names = [r.strip() for r in roles.split(",") if r.strip()]
        c = ws.record_consent(
            record,
            roles=names,
            purpose=purpose,
            given_on=given_on.date(),
            expires_on=expires_on.date() if expires_on else None,
            recorded_by=recorded_by,
        )
    click.echo(f"consent {c.consent_id} recorded for {record}")


@consent.command("revoke", context_settings=CONTEXT)
@click.argument("consent_id")
@click.option("--on", "on", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Default: today.")
@_workspace_option
@_friendly
def consent_revoke(consent_id, on, workspace) -> None:
    """Revoke a consent (from the given day on).

    \b
    Example:
      ddj consent revoke c1a2b3c4d5e6
    """
    from datetime import date

    with _open(workspace) as ws:
        ws.revoke_consent(consent_id, on=on.date() if on else date.today())
    click.echo(f"consent {consent_id} revoked")


@consent.command("list", context_settings=CONTEXT)
@click.option("--record", default=None, help="Only this record (SOURCE|SOURCE_PERSON_ID).")
@_workspace_option
@_friendly
def consent_list(record, workspace) -> None:
    """List consents with their scope, dates and whether they are active today.

    \b
    Example:
      ddj consent list --record "behavioral_health|C0001"
    """
    from datetime import date

    from ddj.govern.consent import consents

    with _open(workspace) as ws:
        found = consents(ws.store, record)
    if not found:
        click.echo("no consents")
    for c in found:
        state = "active" if c.active(date.today()) else "not active"
        click.echo(
            f"{c.consent_id}  {c.record_key}  roles={','.join(c.roles)}  given {c.given_on}  "
            f"expires {c.expires_on or '-'}  revoked {c.revoked_on or '-'}  {state}"
        )


@main.group(context_settings=CONTEXT)
def token() -> None:
    """API tokens for automation (sent as `Authorization: Bearer TOKEN`).

    \b
    Example:
      ddj token add alice nightly-export --days 30
    """


@token.command("add", context_settings=CONTEXT)
@click.argument("username")
@click.argument("name")
@click.option("--days", default=90, show_default=True, help="Days the token lives (1-366).")
@_workspace_option
@_friendly
def token_add(username, name, days, workspace) -> None:
    """Create a token acting for USERNAME; it is printed once and stored only as a hash.

    \b
    Example:
      ddj token add alice nightly-export --days 30
    """
    with _open(workspace) as ws:
        value = ws.create_token(username, name, days=days)
    click.echo(value)


@token.command("revoke", context_settings=CONTEXT)
@click.argument("username")
@click.argument("name", required=False)
@_workspace_option
@_friendly
def token_revoke(username, name, workspace) -> None:
    """Revoke USERNAME's tokens (only the one called NAME, if given).

    \b
    Example:
      ddj token revoke alice nightly-export
    """
    with _open(workspace) as ws:
        n = ws.revoke_tokens(username, name)
    click.echo(f"{n} token(s) revoked")


@main.command(context_settings=CONTEXT)
@click.option("--people", default=5000, show_default=True, help="People in the synthetic county.")
@click.option("--seed", default=42, show_default=True)
@click.option(
    "--out",
    default="demo-county",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Folder for the county's files, workspace and report.",
)
@click.option(
    "--no-serve", is_flag=True, help="Do not serve the dashboard; just print the results."
)
@click.option("--port", default=8765, show_default=True, help="Port for the dashboard.")
@_friendly
def demo(people, seed, out, no_serve, port) -> None:
    """Generate a synthetic county and run the whole pipeline on it, scored against the truth.

    \b
    Example:
      ddj demo --people 5000 --seed 42 --out demo-county --no-serve
    """
    from ddj.demo.run import run_demo

    result = run_demo(Path(out), people=people, seed=seed, progress=_say)
    for line in result.lines():
        click.echo(line)
    if not no_serve:
        click.echo(f"dashboard at http://127.0.0.1:{port}/  (Ctrl-C to stop)")
        ws = Workspace(result.root)
        try:
            ws.serve(port=port)
        finally:
            ws.close()


if __name__ == "__main__":
    main()
