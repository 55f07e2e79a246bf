"""The `ddj` command: parses arguments and calls the Python API (ddj.Workspace)."""

from __future__ import annotations

import functools
import os
import sys
import threading
from pathlib import Path

import click

from ddj.config import FORMATS, resolve_workspace
from ddj.errors import DdjError
from ddj.export import EXPORT_FORMATS, EXPORTS
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
@_workspace_option
@_friendly
def report(out, top_n, workspace) -> None:
    """Write a self-contained HTML report (works offline).

    \b
    Example:
      ddj report --out report.html
    """
    with _open(workspace) as ws:
        path = ws.report(out, top_n=top_n)
    click.echo(f"wrote {path}")


@main.command(context_settings=CONTEXT)
@click.argument("what", type=click.Choice(EXPORTS))
@click.option(
    "--format", "fmt", type=click.Choice(EXPORT_FORMATS), default="csv", show_default=True
)
@click.option("--out", required=True, type=click.Path(dir_okay=False))
@_workspace_option
@_friendly
def export(what, fmt, out, workspace) -> None:
    """Export records (source,source_person_id,person_id), persons or the cohort.

    \b
    Examples:
      ddj export records --format csv --out links.csv
      ddj export cohort --format xlsx --out cohort.xlsx
    """
    with _open(workspace) as ws:
        n = ws.export(what, fmt, out)
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
@click.option("--people", default=5000, show_default=True, help="People in the synthetic county.")
@click.option("--seed", default=42, show_default=True)
@click.option(
    "--out",
    default="demo-county",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Folder for the county's files, workspace and report.",
)
@click.option("--no-serve", is_flag=True, help="Do not serve the report; just print where it is.")
@click.option("--port", default=8765, show_default=True, help="Port for serving the report.")
@_friendly
def demo(people, seed, out, no_serve, port) -> None:
    """Generate a synthetic county and run the whole pipeline on it, scored against the truth.

    \b
    Example:
      ddj demo --people 5000 --seed 42 --out demo-county --no-serve
    """
    from ddj.demo.run import run_demo, serve_report

    result = run_demo(Path(out), people=people, seed=seed, progress=_say)
    for line in result.lines():
        click.echo(line)
    if not no_serve:
        serve_report(result.report, port=port)


if __name__ == "__main__":
    main()
