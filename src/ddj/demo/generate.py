"""Generate a synthetic county: its systems' extracts plus the ground truth that links them.

    from ddj.demo.generate import generate_county
    county = generate_county(Path("demo-county"), people=5000, seed=42)

writes ``demo-county/data/`` (what the county's systems would hand over, each in the format such
a system really exports) and ``demo-county/truth/{records,people}.csv`` (who is who; never read
by the pipeline itself). The jail, police CAD and the county behavioral-health agency hand over
CSV files; the shelters a HUD HMIS CSV export (data/hmis/), the county hospital an HL7 v2.5.1
ADT feed (data/hl7/adt.hl7), the EMS agency a NEMSIS 3.5.1 XML export (data/nemsis/ems.xml) and
a second behavioral-health provider a FHIR R4 bulk export (data/fhir/*.ndjson). All names,
dates of birth, SSNs (area 9xx, never issued), phones and addresses are made up.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ddj.demo.badrows import add_bad_rows
from ddj.demo.behavioral import build_bh
from ddj.demo.dispatch import incident_numbers
from ddj.demo.ems import build_ems
from ddj.demo.errors import (
    BEHAVIORAL_HEALTH,
    BH_FHIR,
    COUNTY_EMS,
    COUNTY_HOSPITAL,
    COUNTY_JAIL,
    POLICE_CAD,
    SHELTERS,
)
from ddj.demo.events import BH, CAD, ED, EMS, JAIL, SHELTER
from ddj.demo.fhir import build_fhir
from ddj.demo.hmis import build_hmis, institution_stays
from ddj.demo.hospital import build_hospital
from ddj.demo.jail import build_jail
from ddj.demo.people import build_population
from ddj.demo.police import build_cad
from ddj.demo.registry import Extract
from ddj.demo.sampling import Window
from ddj.demo.truth import people_table, records_table
from ddj.demo.utilization import plan_utilization
from ddj.demo.writers import Table, write_csv, write_document

# Source name -> its files (paths under data/; a folder for an export that is a whole folder),
# each with the built-in mapping profile that reads it (None for formats that need none).
SOURCE_FILES: dict[str, list[tuple[str, str | None]]] = {
    COUNTY_JAIL: [("jail_bookings.csv", "jail_bookings"), ("jail_aliases.csv", "jail_aliases")],
    POLICE_CAD: [("cad_calls.csv", "cad_calls")],
    BEHAVIORAL_HEALTH: [("bh_clients.csv", "bh_clients"), ("bh_services.csv", "bh_services")],
    SHELTERS: [("hmis", None)],
    COUNTY_HOSPITAL: [("hl7/adt.hl7", None)],
    COUNTY_EMS: [("nemsis/ems.xml", None)],
    BH_FHIR: [("fhir", None)],
}
# Source name -> its format (ddj.config.FORMATS).
SOURCE_FORMATS: dict[str, str] = {
    COUNTY_JAIL: "table",
    POLICE_CAD: "table",
    BEHAVIORAL_HEALTH: "table",
    SHELTERS: "hmis-csv",
    COUNTY_HOSPITAL: "hl7v2",
    COUNTY_EMS: "nemsis",
    BH_FHIR: "fhir",
}
# Source name -> the system (ddj.model.SYSTEMS) it belongs to.
SOURCE_SYSTEMS: dict[str, str] = {
    COUNTY_JAIL: "jail_booking",
    POLICE_CAD: "police_call",
    BEHAVIORAL_HEALTH: "behavioral_health",
    SHELTERS: "shelter",
    COUNTY_HOSPITAL: "ed",
    COUNTY_EMS: "ems",
    BH_FHIR: "behavioral_health",
}
# The column holding the source person id in each CSV file that has one.
ID_COLUMNS: dict[str, str] = {
    "jail_bookings.csv": "InmateID",
    "jail_aliases.csv": "InmateID",
    "cad_calls.csv": "NameID",
    "bh_clients.csv": "ClientID",
    "bh_services.csv": "ClientID",
    "hmis/Client.csv": "PersonalID",
    "hmis/Enrollment.csv": "PersonalID",
    "hmis/Exit.csv": "PersonalID",
    "hmis/Services.csv": "PersonalID",
}
TRUTH_RECORDS = "truth/records.csv"
TRUTH_PEOPLE = "truth/people.csv"


@dataclass
class GeneratedCounty:
    """What :func:`generate_county` wrote.

    ``files`` maps a data file's path under data/ (``"jail_bookings.csv"``, ``"hmis/Client.csv"``,
    ``"hl7/adt.hl7"``) or a truth file's path relative to ``out_dir`` (``"truth/records.csv"``,
    ``"truth/people.csv"``) to its path. ``rows`` counts the items of every file: data rows of a
    CSV file (header excluded), messages of the HL7 file, patient care reports of the NEMSIS
    file, resources of an NDJSON file; bad ones included. ``bad_rows`` counts the deliberately
    bad items of every data file and ``bad_row_lines`` says where they are: {line number, the
    header being line 1: kind} for a CSV file, {message number from 1: kind} for the HL7 file.
    """

    out_dir: Path
    files: dict[str, Path]
    n_people: int
    rows: dict[str, int]
    bad_rows: dict[str, int]
    bad_row_lines: dict[str, dict[int, str]]
    n_frequent_utilizers: int
    seed: int
    start: date
    end: date

    @property
    def data_dir(self) -> Path:
        return self.out_dir / "data"

    @property
    def truth_dir(self) -> Path:
        return self.out_dir / "truth"

    @property
    def good_rows(self) -> dict[str, int]:
        return {name: n - self.bad_rows.get(name, 0) for name, n in self.rows.items()}


def _stage_rng(seed: int, stage: str) -> random.Random:
    # One independent, seeded stream per stage: changing one stage leaves the others' draws alone.
    return random.Random(f"ddj.demo:{seed}:{stage}")


def _ids_in(table: Table, column: str) -> set[str]:
    i = table.column(column)
    return {row[i] for row in table.rows if row[i]}


def _truth_ids(extract: Extract) -> dict[str, str]:
    """The source ids the truth lists: those in good rows (before any bad row is added)."""
    seen: set[str] = set()
    checked = False
    for name, table in extract.tables.items():
        if name in ID_COLUMNS:
            seen |= _ids_in(table, ID_COLUMNS[name])
            checked = True
    if not checked:  # documents: the builder lists exactly the ids of its good items
        return dict(extract.ids)
    return {sid: pid for sid, pid in extract.ids.items() if sid in seen}


def generate_county(
    out_dir: Path,
    people: int = 5000,
    seed: int = 42,
    start: date = date(2023, 1, 1),
    end: date = date(2025, 12, 31),
    progress: Callable[[str], None] | None = None,
) -> GeneratedCounty:
    """Write a synthetic county of ``people`` people living from ``start`` to ``end``.

    The same arguments always give byte-identical files.
    """
    if people < 1:
        raise ValueError("people must be at least 1")
    window = Window(start, end)  # checks end >= start
    say = progress or (lambda _message: None)
    out_dir = Path(out_dir)

    say(f"building {people:,} people")
    population = build_population(_stage_rng(seed, "people"), people, start, end)
    say("planning contacts with jail, police, EMS, the hospital, behavioral health and shelters")
    use = plan_utilization(_stage_rng(seed, "utilization"), population, window)
    events = use.events
    incidents = incident_numbers([*events[CAD], *events[EMS]])
    bh_agency = [e for e in events[BH] if e.program is not None and not e.program.fhir]
    bh_fhir = [e for e in events[BH] if e.program is not None and e.program.fhir]

    def rng(source: str) -> random.Random:
        say(f"recording {source} events")
        return _stage_rng(seed, source)

    extracts: dict[str, Extract] = {
        COUNTY_JAIL: build_jail(rng(COUNTY_JAIL), population, events[JAIL]),
        POLICE_CAD: build_cad(rng(POLICE_CAD), population, events[CAD], incidents),
        BEHAVIORAL_HEALTH: build_bh(rng(BEHAVIORAL_HEALTH), population, bh_agency),
        SHELTERS: build_hmis(
            rng(SHELTERS), population, events[SHELTER], institution_stays(events), start, end
        ),
        COUNTY_HOSPITAL: build_hospital(rng(COUNTY_HOSPITAL), population, events[ED]),
        COUNTY_EMS: build_ems(
            rng(COUNTY_EMS), population, events[EMS], incidents, {e.call for e in events[CAD]}
        ),
        BH_FHIR: build_fhir(rng(BH_FHIR), population, bh_fhir),
    }
    truth_ids = {source: _truth_ids(extract) for source, extract in extracts.items()}

    files: dict[str, Path] = {}
    rows: dict[str, int] = {}
    bad_rows: dict[str, int] = {}
    bad_row_lines: dict[str, dict[int, str]] = {}
    say("writing data files")
    for extract in extracts.values():
        for name, table in extract.tables.items():
            lines = add_bad_rows(_stage_rng(seed, f"bad:{name}"), name, table)
            path = out_dir / "data" / name
            rows[name] = write_csv(path, table)
            files[name] = path
            bad_rows[name] = len(lines)
            bad_row_lines[name] = lines
        for name, document in extract.documents.items():
            path = out_dir / "data" / name
            rows[name] = write_document(path, document)
            files[name] = path
            bad_rows[name] = len(document.bad)
            bad_row_lines[name] = dict(document.bad)

    say("writing ground truth")
    for key, table in (
        (TRUTH_RECORDS, records_table(truth_ids)),
        (TRUTH_PEOPLE, people_table(population)),
    ):
        path = out_dir / key
        rows[key] = write_csv(path, table)
        files[key] = path

    return GeneratedCounty(
        out_dir=out_dir,
        files=files,
        n_people=len(population),
        rows=rows,
        bad_rows=bad_rows,
        bad_row_lines=bad_row_lines,
        n_frequent_utilizers=sum(p.frequent_utilizer for p in population),
        seed=seed,
        start=start,
        end=end,
    )
