"""Generate a synthetic county: four systems' extracts plus the ground truth that links them.

    from ddj.demo.generate import generate_county
    county = generate_county(Path("demo-county"), people=5000, seed=42)

writes ``demo-county/data/*.csv`` (what the county's systems would hand over) and
``demo-county/truth/{records,people}.csv`` (who is who; never read by the pipeline itself).
All names, dates of birth, SSNs (area 9xx, never issued), phones and addresses are made up.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ddj.demo.badrows import add_bad_rows
from ddj.demo.behavioral import build_bh
from ddj.demo.errors import BEHAVIORAL_HEALTH, COUNTY_JAIL, POLICE_CAD, SHELTERS
from ddj.demo.jail import build_jail
from ddj.demo.people import build_population
from ddj.demo.police import build_cad
from ddj.demo.registry import Extract
from ddj.demo.sampling import Window
from ddj.demo.shelter import build_shelter
from ddj.demo.truth import people_table, records_table
from ddj.demo.utilization import BH, CAD, JAIL, SHELTER, plan_utilization
from ddj.demo.writers import Table, write_csv

# Source name -> its files, each with the built-in mapping profile that reads it.
SOURCE_FILES: dict[str, list[tuple[str, str]]] = {
    COUNTY_JAIL: [("jail_bookings.csv", "jail_bookings"), ("jail_aliases.csv", "jail_aliases")],
    POLICE_CAD: [("cad_calls.csv", "cad_calls")],
    BEHAVIORAL_HEALTH: [("bh_clients.csv", "bh_clients"), ("bh_services.csv", "bh_services")],
    SHELTERS: [("shelter_stays.csv", "shelter_stays")],
}
# Source name -> the system (ddj.model.SYSTEMS) it belongs to.
SOURCE_SYSTEMS: dict[str, str] = {
    COUNTY_JAIL: "jail_booking",
    POLICE_CAD: "police_call",
    BEHAVIORAL_HEALTH: "behavioral_health",
    SHELTERS: "shelter",
}
# The column holding the source person id in each file.
ID_COLUMNS: dict[str, str] = {
    "jail_bookings.csv": "InmateID",
    "jail_aliases.csv": "InmateID",
    "cad_calls.csv": "NameID",
    "bh_clients.csv": "ClientID",
    "bh_services.csv": "ClientID",
    "shelter_stays.csv": "PersonalID",
}
TRUTH_RECORDS = "truth/records.csv"
TRUTH_PEOPLE = "truth/people.csv"


@dataclass
class GeneratedCounty:
    """What :func:`generate_county` wrote.

    ``files`` maps a data file's name (``"jail_bookings.csv"``) or a truth file's path relative to
    ``out_dir`` (``"truth/records.csv"``, ``"truth/people.csv"``) to its path. ``rows`` counts
    the data rows of every file (header excluded, bad rows included); ``bad_rows`` counts the
    deliberately bad rows of every data file and ``bad_row_lines`` says where they are
    ({line number, the header being line 1: kind}).
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
    say("planning contacts with jail, police, behavioral health and shelters")
    use = plan_utilization(_stage_rng(seed, "utilization"), population, window)

    extracts: dict[str, Extract] = {}
    builders = (
        (COUNTY_JAIL, build_jail, JAIL),
        (POLICE_CAD, build_cad, CAD),
        (BEHAVIORAL_HEALTH, build_bh, BH),
        (SHELTERS, build_shelter, SHELTER),
    )
    for source, build, system in builders:
        say(f"recording {len(use.events[system]):,} {source} events")
        extracts[source] = build(_stage_rng(seed, source), population, use.events[system])

    # The truth lists exactly the ids that appear in good rows (before any bad row is added).
    truth_ids: dict[str, dict[str, str]] = {}
    for source, extract in extracts.items():
        seen: set[str] = set()
        for name, _profile in SOURCE_FILES[source]:
            seen |= _ids_in(extract.tables[name], ID_COLUMNS[name])
        truth_ids[source] = {sid: pid for sid, pid in extract.ids.items() if sid in seen}

    files: dict[str, Path] = {}
    rows: dict[str, int] = {}
    bad_rows: dict[str, int] = {}
    bad_row_lines: dict[str, dict[int, str]] = {}
    say("writing data files")
    for source, extract in extracts.items():
        for name, _profile in SOURCE_FILES[source]:
            table = extract.tables[name]
            lines = add_bad_rows(_stage_rng(seed, f"bad:{name}"), name, table)
            path = out_dir / "data" / name
            rows[name] = write_csv(path, table)
            files[name] = path
            bad_rows[name] = len(lines)
            bad_row_lines[name] = lines

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
