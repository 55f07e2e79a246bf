"""The HTML report on a small synthetic workspace, and on an empty one (no browser needed).

``make_workspace`` is also the browser test's fixture data. Every name and value is made up.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest

from ddj.report import render_report, write_report
from ddj.store import Store

GENERATED = datetime(2024, 7, 3, 9, 30)

NEED_DEFINITIONS = {
    "homelessness": ("Homelessness", "Shelter stays and <no fixed address>"),
    "substance_use": ("Substance use", "A substance-use disorder diagnosis"),
    "overdose": ("Overdose", "A poisoning"),
}
# (person, need, part2): P001 and P002 are cohort members of the latest run, P004 is not.
NEED_FLAGS = [
    ("P001", "homelessness", False),
    ("P002", "homelessness", False),
    ("P004", "homelessness", False),
    ("P001", "substance_use", True),
]

# source -> system
SOURCES = {
    "jail_bookings": "jail_booking",
    "jail_aliases": "jail_booking",
    "cad_calls": "police_call",
    "bh_clients": "behavioral_health",
    "hmis_stays": "shelter",
}
EVENT_TYPE = {
    "jail_booking": "jail_booking",
    "police_call": "police_call",
    "behavioral_health": "bh_service",
    "shelter": "shelter_stay",
}

# person_id -> records as (source, source_person_id, first, last, events, first event day)
PEOPLE: dict[str, list[tuple[str, str, str, str, int, date]]] = {
    "P001": [
        ("jail_bookings", "J-100", "Jon", "Testperson", 3, date(2023, 1, 5)),
        ("jail_aliases", "JA-7", "Jonathan", "Testperson", 2, date(2024, 5, 20)),
        ("cad_calls", "C-1", "Jon", "Testperson", 4, date(2023, 3, 1)),
        ("bh_clients", "B-1", "J.", "Testperson", 2, date(2023, 6, 1)),
        ("hmis_stays", "H-1", "Jon", "Testperson", 3, date(2023, 9, 9)),
    ],
    "P002": [
        ("jail_bookings", "J-200", "Ana", "Sample", 2, date(2023, 2, 2)),
        ("cad_calls", "C-2", "Ana", "Sample", 4, date(2023, 4, 4)),
        ("hmis_stays", "H-2", "Ana", "Sample", 3, date(2024, 1, 10)),
    ],
    "P003": [
        ("jail_bookings", "J-300", "Mary", "O'Fake", 2, date(2023, 5, 5)),
        ("cad_calls", "C-3", "Mary", "O'Fake", 3, date(2023, 7, 7)),
        ("hmis_stays", "H-3", "Mary", "O'Fake", 2, date(2023, 8, 8)),
    ],
    "P004": [
        ("jail_bookings", "J-400", "Lee", "Example", 1, date(2023, 10, 1)),
        ("cad_calls", "C-4", "Lee", "Example", 2, date(2023, 11, 1)),
    ],
    "P005": [
        ("jail_bookings", "J-500", "Sam", "Placeholder", 1, date(2024, 2, 1)),
        ("cad_calls", "C-5", "Sam", "Placeholder", 1, date(2024, 3, 1)),
    ],
    "P006": [
        ("jail_bookings", "J-600", "Kim", "Dummy", 1, date(2024, 4, 1)),
        ("cad_calls", "C-6", "Kim", "Dummy", 1, date(2024, 4, 2)),
    ],
    "P007": [
        ("jail_bookings", "J-700", "Pat", "Mock", 2, date(2023, 12, 1)),
        ("bh_clients", "B-7", "Pat", "Mock", 3, date(2024, 1, 2)),
    ],
    "P008": [("hmis_stays", "H-8", "Ray", "Synth", 2, date(2024, 2, 2))],
    "P009": [("hmis_stays", "H-9", "Val", "Fictive", 1, date(2024, 3, 3))],
    "P010": [("jail_bookings", "J-1000", "Dee", "Madeup", 1, date(2024, 6, 1))],
    "P011": [("cad_calls", "C-11", "Bo", "Invented", 1, date(2023, 1, 20))],
    "P012": [("bh_clients", "B-12", "Cy", "Notreal", 1, date(2024, 6, 15))],
}

# the exact system combinations above, most people first (ties: fewer systems, then by name)
EXPECTED_COMBINATIONS = [
    (["jail_booking", "police_call"], 3),
    (["shelter"], 2),
    (["jail_booking", "police_call", "shelter"], 2),
    (["behavioral_health"], 1),
    (["jail_booking"], 1),
    (["police_call"], 1),
    (["behavioral_health", "jail_booking"], 1),
    (["behavioral_health", "jail_booking", "police_call", "shelter"], 1),
]
N_SYSTEMS = 4
MULTI_SYSTEM_PEOPLE = 7

# the latest identify run; an older run's member P012 must not show
COHORTS = {
    "frequent_utilizer": [("P001", 14), ("P002", 9), ("P003", 7)],
    "jail_and_bh": [("P007", 5), ("P001", 7)],
}
EXPECTED_TOP = {"frequent_utilizer": ["P001", "P002", "P003"], "jail_and_bh": ["P001", "P007"]}
COHORT_REASON = "≥ 6 contacts in 2+ systems & <90 days apart>"

# (source, field, value, reason, rows); values are personal data and must never be shown
QUARANTINE = [
    ("jail_bookings", "dob", "13/45/1961", "unparseable date", 3),
    ("cad_calls", "source_person_id", None, "missing person id", 2),
    ("hmis_stays", "sex", "QQ-SECRET", "unknown sex code", 1),
]
SECRET_VALUES = ["13/45/1961", "QQ-SECRET"]

EXPECTED_MONTHS = 18  # Jan 2023 .. Jun 2024, empty months included


def make_workspace(path: Path) -> Store:
    """A small workspace written straight into the tables, as ingest/link/identify would."""
    store = Store(path)
    con = store.con
    t0 = datetime(2024, 6, 30, 8, 0)
    for i, (source, system) in enumerate(SOURCES.items()):
        status = "partial" if source in {q[0] for q in QUARANTINE} else "ok"
        con.execute(
            "INSERT INTO ingest_batch (batch_id, source, system, format, path, file_sha256, "
            "started_at, finished_at, rows_read, records_added, records_changed, events_added, "
            "events_changed, rows_quarantined, status) "
            "VALUES (?, ?, ?, 'csv', ?, 'sha', ?, ?, ?, ?, 0, ?, 0, ?, ?)",
            [
                f"b-{source}",
                source,
                system,
                f"/secure/county share/extracts/{source}_2024-06.csv",
                t0 + timedelta(minutes=i),
                t0 + timedelta(minutes=i, seconds=30),
                40 + i,
                10 + i,
                30 + i,
                sum(q[4] for q in QUARANTINE if q[0] == source),
                status,
            ],
        )
    n = 0
    for person_id, records in PEOPLE.items():
        systems = {SOURCES[r[0]] for r in records}
        con.execute(
            "INSERT INTO person VALUES (?, 'link-2', 'link-2', ?, ?)",
            [person_id, len(records), len(systems)],
        )
        for source, spid, first, last, n_events, day in records:
            system = SOURCES[source]
            key = f"{source}|{spid}"
            _record(con, key, 1, source, system, spid, first, last, t0)
            con.execute(
                "INSERT INTO person_record VALUES (?, ?, ?, ?, 'link-2')",
                [key, person_id, source, spid],
            )
            for k in range(n_events):
                n += 1
                con.execute(
                    "INSERT INTO event (event_key, version, is_current, source, system, "
                    "source_person_id, record_key, event_type, start_at, part2, batch_id, "
                    "row_hash, valid_from) VALUES (?, 1, TRUE, ?, ?, ?, ?, ?, ?, FALSE, ?, ?, ?)",
                    [
                        f"{source}|E{n}",
                        source,
                        system,
                        spid,
                        key,
                        EVENT_TYPE[system],
                        datetime.combine(day, datetime.min.time()) + timedelta(days=9 * k),
                        f"b-{source}",
                        f"h{n}",
                        t0,
                    ],
                )
    # an old version of a record (not current): its name must not be used
    con.execute("UPDATE source_record SET version = 2 WHERE record_key = 'cad_calls|C-2'")
    _record(con, "cad_calls|C-2", 1, "cad_calls", "police_call", "C-2", "Old", "Version", t0, False)
    # an event that is no longer current: not counted
    con.execute(
        "INSERT INTO event (event_key, version, is_current, source, system, source_person_id, "
        "record_key, event_type, start_at, part2, batch_id, row_hash, valid_from) VALUES "
        "('cad_calls|GONE', 1, FALSE, 'cad_calls', 'police_call', 'C-2', 'cad_calls|C-2', "
        "'police_call', '2021-01-01', FALSE, 'b-cad_calls', 'x', '2024-01-01')"
    )
    for q, (source, field, value, reason, rows) in enumerate(QUARANTINE):
        for r in range(rows):
            con.execute(
                "INSERT INTO quarantine VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [f"q{q}-{r}", f"b-{source}", source, f"{source}.csv", r + 2, field, value]
                + [reason, t0],
            )
    link_runs = [("link-1", datetime(2024, 5, 1), 10), ("link-2", datetime(2024, 7, 2, 10), 12)]
    for run_id, started, n_persons in link_runs:
        con.execute(
            "INSERT INTO link_run VALUES (?, ?, ?, 'splink', 31, 412, 19, ?, 0.92, '{}')",
            [run_id, started, started + timedelta(minutes=5), n_persons],
        )
    con.execute("INSERT INTO identify_run VALUES ('id-1', '2024-06-01', '2024-05-31', '{}')")
    definition = {
        "cohorts": [],
        "needs": [
            {"name": n, "label": label, "description": about}
            for n, (label, about) in NEED_DEFINITIONS.items()
        ],
    }
    con.execute(
        "INSERT INTO identify_run VALUES ('id-2', '2024-07-02 11:00', '2024-06-30', ?)",
        [json.dumps(definition)],
    )
    for person_id, need, part2 in NEED_FLAGS:
        con.execute(
            "INSERT INTO need_flag VALUES"
            " ('id-2', ?, ?, 1, '2024-01-01', '2024-01-01', ?, '[]', ['hmis_stays'])",
            [person_id, need, part2],
        )
    con.execute(
        "INSERT INTO cohort_member VALUES"
        " ('id-1', 'frequent_utilizer', 'P012', 99, 1, '{}', 'x', NULL, NULL)"
    )
    for cohort, members in COHORTS.items():
        for person_id, total in members:
            counts = {"jail_booking": total // 2, "police_call": total - total // 2}
            con.execute(
                "INSERT INTO cohort_member VALUES ('id-2', ?, ?, ?, 2, ?, ?, NULL, NULL)",
                [cohort, person_id, total, json.dumps(counts), COHORT_REASON],
            )
    return store


def _record(con, key, version, source, system, spid, first, last, valid_from, current=True):
    con.execute(
        "INSERT INTO source_record (record_key, version, is_current, source, system, "
        "source_person_id, first_name, last_name, dob, part2, batch_id, row_hash, valid_from) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, '1980-01-01', FALSE, ?, 'h', ?)",
        [key, version, current, source, system, spid, first, last, f"b-{source}", valid_from],
    )


class Sections(HTMLParser):
    """The ids of <section>s and the text of each, from the report's HTML."""

    def __init__(self) -> None:
        super().__init__()
        self.text: dict[str, list[str]] = {}
        self.current: str | None = None
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "section":
            self.current = a["id"]
            self.text[self.current] = []
        for name in ("href", "src", "xlink:href", "action"):
            if a.get(name):
                self.urls.append(a[name])

    def handle_endtag(self, tag):
        if tag == "section":
            self.current = None

    def handle_data(self, data):
        if self.current:
            self.text[self.current].append(data)

    def section(self, name: str) -> str:
        return " ".join(" ".join(self.text[name]).split())


def parse(html: str) -> Sections:
    parser = Sections()
    parser.feed(html)
    return parser


SECTION_IDS = ["summary", "per-system", "overlap", "cohort", "needs", "quality", "linkage"]
CHARTS = ["timeline", "per-system", "upset", "cohorts", "needs", "quarantine"]


@pytest.fixture
def workspace(tmp_path):
    store = make_workspace(tmp_path / "ddj.duckdb")
    yield store
    store.close()


@pytest.fixture
def html(workspace):
    return render_report(workspace, title="Synthetic County", generated_at=GENERATED)


def test_every_section_and_chart_is_there(html):
    doc = parse(html)
    assert list(doc.text) == SECTION_IDS
    for chart in CHARTS:
        assert html.count(f'data-chart="{chart}"') == 1, chart
    assert "<title>Synthetic County</title>" in html


def test_nothing_is_loaded_from_anywhere(html):
    doc = parse(html)
    assert all(u.startswith("#") for u in doc.urls), doc.urls
    assert "<script" not in html.lower()
    assert "@import" not in html and "url(" not in html
    # the only absolute URL is the SVG namespace, which is never fetched
    assert set(re.findall(r"https?://[^\s\"'<>)]+", html)) == {"http://www.w3.org/2000/svg"}


def test_summary_totals(html):
    text = parse(html).section("summary")
    n_records = sum(len(r) for r in PEOPLE.values())
    n_events = sum(r[4] for rs in PEOPLE.values() for r in rs)
    n_quarantined = sum(q[4] for q in QUARANTINE)
    assert f"Source records {n_records}" in text
    assert f"Events {n_events}" in text
    assert f"People (linked) {len(PEOPLE)}" in text
    assert f"People in 2+ systems {MULTI_SYSTEM_PEOPLE}" in text
    assert "Cohort members 4" in text  # P001, P002, P003, P007 in the latest run
    assert f"Quarantined rows {n_quarantined}" in text
    assert "2023-01-05 to 2024-06-15" in text
    assert "linked 2024-07-02 10:05" in html


def test_per_system_table(html):
    text = parse(html).section("per-system")
    # system, sources, records, events, people
    assert "Jail Jail bookings jail_aliases , jail_bookings 9 15 8" in text
    assert "Police (CAD)" in text and "Shelter (HMIS)" in text


def test_cohort_tables(html):
    text = parse(html).section("cohort")
    assert "P012" not in text  # from the older identify run
    assert "frequent_utilizer 3 members" in text
    # display name from the most recent record (P001's alias record has the latest contact)
    assert "1 P001 Jonathan Testperson" in text
    assert "Mary O&#39;Fake" in html or "Mary O&#x27;Fake" in html
    assert "Old Version" not in html
    assert "jail booking 7" in text
    assert COHORT_REASON in text  # escaped in the HTML, intact as text
    assert "&lt;90 days apart&gt;" in html


def test_top_n_limits_each_cohort_table(workspace):
    text = parse(render_report(workspace, top_n=2)).section("cohort")
    assert "P003" not in text
    assert "The 2 members with the most contacts." in text


def test_needs_section(html):
    text = parse(html).section("needs")
    # need, what counts, people, in a cohort, with Part 2 evidence; in the run's order
    assert "Homelessness Shelter stays and <no fixed address> 3 2 0" in text
    assert "&lt;no fixed address&gt;" in html
    assert "Substance use A substance-use disorder diagnosis 1 1 1" in text
    assert "Overdose A poisoning 0 0 0" in text  # defined, nobody flagged
    cohort = parse(html).section("cohort")
    # A report leaves ddj: a need resting on Part 2 records is never tied to a named member.
    assert "Substance use" not in cohort


def test_quality_shows_reasons_never_values(html):
    text = parse(html).section("quality")
    assert "jail_bookings unparseable date dob 3" in text
    for secret in SECRET_VALUES:
        assert secret not in html
    # batches show the file name only, never the folder it came from
    assert "jail_bookings_2024-06.csv" in text
    assert "/secure" not in html


def test_linkage(html):
    text = parse(html).section("linkage")
    assert "link-2" in text and "link-1" not in text
    assert "Pairs scored 412" in text
    assert "Match threshold 0.92" in text


def test_empty_workspace_renders_every_section_with_no_data(tmp_path):
    with Store(tmp_path / "empty.duckdb") as store:
        html = render_report(store)
    doc = parse(html)
    assert list(doc.text) == SECTION_IDS
    for section in SECTION_IDS:
        assert "No data yet" in doc.section(section), section
    assert "ddj identify" in doc.section("cohort")
    assert "not linked yet" in doc.section("linkage")


def test_identify_run_without_members(tmp_path):
    with Store(tmp_path / "w.duckdb") as store:
        store.con.execute("INSERT INTO identify_run VALUES ('r', '2024-01-01', '2024-01-01', '{}')")
        text = parse(render_report(store)).section("cohort")
    assert "found no cohort members" in text


def test_title_is_escaped(tmp_path):
    with Store(tmp_path / "w.duckdb") as store:
        html = render_report(store, title="<script>x</script> & Co")
    assert "<script>" not in html
    assert "&lt;script&gt;x&lt;/script&gt; &amp; Co" in html


def test_write_report(workspace, tmp_path):
    out = write_report(workspace, tmp_path / "sub" / "report.html", generated_at=GENERATED)
    assert out == tmp_path / "sub" / "report.html"
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_a_long_span_of_events_is_drawn_per_year(tmp_path):
    with Store(tmp_path / "w.duckdb") as store:
        for i, day in enumerate(["1990-03-01", "2001-07-04", "2024-06-30"]):
            store.con.execute(
                "INSERT INTO event (event_key, version, is_current, source, system, "
                "source_person_id, record_key, event_type, start_at, batch_id, row_hash, "
                "valid_from) VALUES (?, 1, TRUE, 's', 'ems', 'p', 's|p', 'ems_run', ?, 'b', 'h', "
                "'2024-07-01')",
                [f"s|{i}", day],
            )
        html = render_report(store)
    assert "Events per year" in html
    assert html.count('class="bar"') == 2024 - 1990 + 1


def test_overlap_shows_at_most_20_combinations(tmp_path):
    from itertools import chain, combinations

    systems = ["police_call", "jail_booking", "ems", "ed", "hospital", "behavioral_health"]
    combos = list(chain.from_iterable(combinations(systems, k) for k in (1, 2, 3)))[:25]
    with Store(tmp_path / "w.duckdb") as store:
        for p, combo in enumerate(combos):
            for system in combo:
                key = f"{system}|{p}"
                _record(store.con, key, 1, system, system, str(p), "A", "B", GENERATED)
                store.con.execute(
                    "INSERT INTO person_record VALUES (?, ?, ?, ?, 'r')", [key, f"P{p}", system, p]
                )
        html = render_report(store)
    upset = re.search(r'<svg[^>]*data-chart="upset".*?</svg>', html, re.S).group(0)
    assert upset.count('<rect class="bar"') == 20
    assert upset.count('<rect class="set-bar"') == len(systems)
    assert "Showing the 20 largest of 25 combinations." in " ".join(html.split())
