"""The synthetic county generator: files, ground truth, utilization shape, identity errors."""

from __future__ import annotations

import csv
import time
from collections import Counter, defaultdict
from datetime import date, datetime
from pathlib import Path

import pytest

from ddj.demo.generate import SOURCE_FILES, SOURCE_SYSTEMS, GeneratedCounty, generate_county
from ddj.demo.names import nickname_variants

HEADERS = {
    "jail_bookings.csv": [
        "InmateID", "BookingNumber", "FirstName", "MiddleName", "LastName", "Suffix", "DOB", "Sex",
        "SSN", "Address", "City", "State", "Zip", "BookingDateTime", "ReleaseDateTime", "Charges",
        "Facility",
    ],
    "jail_aliases.csv": ["InmateID", "AliasFirstName", "AliasLastName", "AliasDOB"],
    "cad_calls.csv": [
        "NameID", "CallNumber", "FirstName", "LastName", "DOB", "Sex", "PersonAddress", "Phone",
        "CallDateTime", "ClearedDateTime", "CallType", "Disposition",
    ],
    "bh_clients.csv": [
        "ClientID", "FirstName", "MiddleName", "LastName", "DateOfBirth", "Gender", "SSN",
        "Address", "City", "State", "Zip", "Phone",
    ],
    "bh_services.csv": [
        "ServiceID", "ClientID", "ServiceDate", "ServiceEndDate", "ServiceType", "DiagnosisCodes",
        "Program", "Part2Program", "Cost",
    ],
    "shelter_stays.csv": [
        "EnrollmentID", "PersonalID", "FirstName", "LastName", "DOB", "SSN", "Gender",
        "EntryDate", "ExitDate", "ProjectName", "ProjectType",
    ],
}  # fmt: skip
ID_COLUMN = {
    "jail_bookings.csv": "InmateID",
    "jail_aliases.csv": "InmateID",
    "cad_calls.csv": "NameID",
    "bh_clients.csv": "ClientID",
    "bh_services.csv": "ClientID",
    "shelter_stays.csv": "PersonalID",
}
SOURCE_OF = {name: source for source, files in SOURCE_FILES.items() for name, _ in files}
# File -> (column, format) of its dates that must always parse in a good row.
DATE_COLUMNS = {
    "jail_bookings.csv": [
        ("DOB", "%m/%d/%Y"),
        ("BookingDateTime", "%m/%d/%Y %H:%M"),
        ("ReleaseDateTime", "%m/%d/%Y %H:%M"),
    ],
    "jail_aliases.csv": [("AliasDOB", "%m/%d/%Y")],
    "cad_calls.csv": [
        ("DOB", "%Y-%m-%d"),
        ("CallDateTime", "%Y-%m-%d %H:%M:%S"),
        ("ClearedDateTime", "%Y-%m-%d %H:%M:%S"),
    ],
    "bh_clients.csv": [("DateOfBirth", "%Y-%m-%d")],
    "bh_services.csv": [("ServiceDate", "%Y-%m-%d"), ("ServiceEndDate", "%Y-%m-%d")],
    "shelter_stays.csv": [("DOB", "%Y-%m-%d"), ("EntryDate", "%Y-%m-%d"), ("ExitDate", "%Y-%m-%d")],
}
# File -> (person id column, date column, format) of one contact with a system.
EVENT_FILES = {
    "jail_bookings.csv": ("InmateID", "BookingDateTime", "%m/%d/%Y %H:%M"),
    "cad_calls.csv": ("NameID", "CallDateTime", "%Y-%m-%d %H:%M:%S"),
    "bh_services.csv": ("ClientID", "ServiceDate", "%Y-%m-%d"),
    "shelter_stays.csv": ("PersonalID", "EntryDate", "%Y-%m-%d"),
}
DOB_COLUMN = {
    "jail_bookings.csv": "DOB",
    "cad_calls.csv": "DOB",
    "bh_clients.csv": "DateOfBirth",
    "shelter_stays.csv": "DOB",
}
N_PEOPLE = 3000


def read_lines(path: Path) -> list[tuple[bool, list[str]]]:
    """Every data line as (decodes as UTF-8, fields)."""
    out = []
    with path.open("rb") as handle:
        next(handle)
        for raw in handle:
            try:
                text, ok = raw.decode("utf-8"), True
            except UnicodeDecodeError:
                text, ok = raw.decode("utf-8", errors="replace"), False
            out.append((ok, next(csv.reader([text]))))
    return out


def good_rows(county: GeneratedCounty, name: str) -> list[dict[str, str]]:
    bad = county.bad_row_lines[name]
    header = HEADERS[name]
    return [
        dict(zip(header, fields, strict=True))
        for line, (_ok, fields) in enumerate(read_lines(county.files[name]), start=2)
        if line not in bad
    ]


def read_truth(county: GeneratedCounty) -> tuple[dict[tuple[str, str], str], dict[str, dict]]:
    with county.files["truth/records.csv"].open(encoding="utf-8", newline="") as handle:
        records = {(r["source"], r["source_person_id"]): r["true_person_id"]
                   for r in csv.DictReader(handle)}  # fmt: skip
    with county.files["truth/people.csv"].open(encoding="utf-8", newline="") as handle:
        people = {r["true_person_id"]: r for r in csv.DictReader(handle)}
    return records, people


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> GeneratedCounty:
    return generate_county(tmp_path_factory.mktemp("county"), people=N_PEOPLE, seed=11)


@pytest.fixture(scope="module")
def rows(county: GeneratedCounty) -> dict[str, list[dict[str, str]]]:
    return {name: good_rows(county, name) for name in HEADERS}


@pytest.fixture(scope="module")
def truth(county: GeneratedCounty) -> tuple[dict[tuple[str, str], str], dict[str, dict]]:
    return read_truth(county)


@pytest.fixture(scope="module")
def contacts(county, rows, truth) -> dict[str, dict[str, list[datetime]]]:
    """true person -> source -> times of that person's contacts (good rows only)."""
    records, _ = truth
    out: dict[str, dict[str, list[datetime]]] = defaultdict(lambda: defaultdict(list))
    for name, (id_col, date_col, fmt) in EVENT_FILES.items():
        source = SOURCE_OF[name]
        for row in rows[name]:
            person = records[(source, row[id_col])]
            out[person][source].append(datetime.strptime(row[date_col], fmt))
    return out


def test_source_constants() -> None:
    assert SOURCE_FILES == {
        "county_jail": [
            ("jail_bookings.csv", "jail_bookings"),
            ("jail_aliases.csv", "jail_aliases"),
        ],
        "police_cad": [("cad_calls.csv", "cad_calls")],
        "behavioral_health": [("bh_clients.csv", "bh_clients"), ("bh_services.csv", "bh_services")],
        "shelters": [("shelter_stays.csv", "shelter_stays")],
    }
    assert SOURCE_SYSTEMS == {
        "county_jail": "jail_booking",
        "police_cad": "police_call",
        "behavioral_health": "behavioral_health",
        "shelters": "shelter",
    }


def test_files_headers_and_counts(county: GeneratedCounty) -> None:
    data, truth_dir = county.out_dir / "data", county.out_dir / "truth"
    assert county.n_people == N_PEOPLE
    assert set(county.files) == set(HEADERS) | {"truth/records.csv", "truth/people.csv"}
    for name, header in HEADERS.items():
        path = county.files[name]
        assert path == data / name
        with path.open("rb") as handle:
            assert handle.readline() == (",".join(header) + "\n").encode()
        assert county.rows[name] == len(read_lines(path)) > 0
    assert county.files["truth/records.csv"].parent == truth_dir
    with county.files["truth/records.csv"].open() as handle:
        assert handle.readline().strip() == "source,source_person_id,true_person_id"
    with county.files["truth/people.csv"].open() as handle:
        assert handle.readline().strip() == (
            "true_person_id,first_name,last_name,dob,sex,frequent_utilizer,homeless,"
            "mental_illness,substance_use"
        )
    assert county.rows["truth/people.csv"] == N_PEOPLE


def test_deterministic_for_a_seed(tmp_path: Path) -> None:
    def snapshot(folder: Path) -> dict[str, bytes]:
        return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*.csv"))}

    first = generate_county(tmp_path / "a", people=600, seed=3)
    again = generate_county(tmp_path / "b", people=600, seed=3)
    other = generate_county(tmp_path / "c", people=600, seed=4)
    assert snapshot(tmp_path / "a") == snapshot(tmp_path / "b")
    assert len(snapshot(tmp_path / "a")) == 8
    assert snapshot(tmp_path / "a") != snapshot(tmp_path / "c")
    assert first.rows == again.rows and first.bad_row_lines == again.bad_row_lines
    assert other.n_people == 600


def test_bad_rows_present_counted_and_broken(county: GeneratedCounty) -> None:
    assert county.bad_rows["jail_aliases.csv"] == county.bad_rows["bh_clients.csv"] == 0
    today = date.today()
    for name in ("jail_bookings.csv", "cad_calls.csv", "bh_services.csv", "shelter_stays.csv"):
        bad = county.bad_row_lines[name]
        assert 3 <= county.bad_rows[name] == len(bad) <= 6
        assert {"missing_id", "wrong_columns", "invalid_utf8", "unparseable_date"} <= set(
            bad.values()
        )
        header = HEADERS[name]
        lines = read_lines(county.files[name])
        for line, kind in bad.items():
            ok, fields = lines[line - 2]
            if kind == "invalid_utf8":
                assert not ok
                continue
            assert ok
            if kind == "wrong_columns":
                assert len(fields) != len(header)
                continue
            row = dict(zip(header, fields, strict=True))
            if kind == "missing_id":
                assert row[ID_COLUMN[name]] == ""
            elif kind == "unparseable_date":
                column, fmt = EVENT_FILES[name][1:]
                with pytest.raises(ValueError):
                    datetime.strptime(row[column], fmt)
            elif kind == "impossible_dob":
                dob = datetime.strptime(row[DOB_COLUMN[name]], DATE_COLUMNS[name][0][1]).date()
                assert dob.year < 1900 or dob > today
            else:
                pytest.fail(f"unknown bad-row kind {kind}")
        # Every other line is good: valid UTF-8, the right width, an id, dates that parse.
        for line, (ok, fields) in enumerate(lines, start=2):
            if line in bad:
                continue
            assert ok and len(fields) == len(header), (name, line)
            row = dict(zip(header, fields, strict=True))
            assert row[ID_COLUMN[name]], (name, line)
            for column, fmt in DATE_COLUMNS[name]:
                if row[column]:
                    datetime.strptime(row[column], fmt)


def test_good_rows_are_well_formed(rows) -> None:
    today = date.today()
    for name, column in DOB_COLUMN.items():
        fmt = DATE_COLUMNS[name][0][1]
        for row in rows[name]:
            if row[column]:
                assert date(1900, 1, 1) <= datetime.strptime(row[column], fmt).date() < today
    for name in ("jail_bookings.csv", "bh_clients.csv", "shelter_stays.csv"):
        for row in rows[name]:
            ssn = row["SSN"]
            assert ssn == "" or (len(ssn) == 9 and ssn.isdigit() and ssn[0] in "90"), ssn
    assert {r["Sex"] for r in rows["jail_bookings.csv"]} <= {"M", "F"}
    assert {r["Sex"] for r in rows["cad_calls.csv"]} <= {"M", "F", "U"}
    assert {r["Gender"] for r in rows["bh_clients.csv"]} <= {"Male", "Female", "NB", "Unknown"}
    assert {r["Gender"] for r in rows["shelter_stays.csv"]} <= {"M", "F"}
    assert {r["ProjectType"] for r in rows["shelter_stays.csv"]} == {"ES", "TH", "SO"}
    services = rows["bh_services.csv"]
    assert {r["ServiceType"] for r in services} == {
        "CRISIS", "MOBILE_CRISIS", "OUTPATIENT", "CASE_MANAGEMENT", "RESIDENTIAL", "DETOX",
    }  # fmt: skip
    for row in services:
        assert row["Part2Program"] in ("Y", "N")
        assert float(row["Cost"]) > 0
        assert all(code.startswith("F") for code in row["DiagnosisCodes"].split(";"))
        if row["ServiceType"] == "DETOX":
            assert row["Part2Program"] == "Y"
    for row in rows["jail_bookings.csv"]:
        assert row["Charges"] and ";;" not in row["Charges"]
        if row["ReleaseDateTime"]:
            fmt = "%m/%d/%Y %H:%M"
            assert datetime.strptime(row["ReleaseDateTime"], fmt) >= datetime.strptime(
                row["BookingDateTime"], fmt
            )
    for row in rows["shelter_stays.csv"]:
        assert not row["ExitDate"] or row["ExitDate"] >= row["EntryDate"]


def test_truth_covers_exactly_the_ids_in_good_rows(county, rows, truth) -> None:
    records, people = truth
    seen = {(SOURCE_OF[name], row[ID_COLUMN[name]]) for name in HEADERS for row in rows[name]}
    assert seen == set(records)
    assert set(records.values()) <= set(people)
    assert len(people) == N_PEOPLE
    assert {source for source, _ in records} == set(SOURCE_FILES)
    # Referential integrity inside a source.
    clients = {r["ClientID"] for r in rows["bh_clients.csv"]}
    assert {r["ClientID"] for r in rows["bh_services.csv"]} <= clients
    inmates = {r["InmateID"] for r in rows["jail_bookings.csv"]}
    assert rows["jail_aliases.csv"] and {r["InmateID"] for r in rows["jail_aliases.csv"]} <= inmates
    # Bad rows that keep an id point at a person the truth knows.
    for name, bad in county.bad_row_lines.items():
        lines = read_lines(county.files[name])
        for line, kind in bad.items():
            if kind not in ("missing_id", "wrong_columns", "invalid_utf8"):
                row = dict(zip(HEADERS[name], lines[line - 2][1], strict=True))
                assert (SOURCE_OF[name], row[ID_COLUMN[name]]) in records


def test_heavy_tailed_utilization(truth, contacts) -> None:
    _, people = truth
    per_person = sorted((sum(map(len, contacts[p].values())) for p in people), reverse=True)
    total = sum(per_person)
    top = per_person[: len(per_person) // 20]
    assert sum(top) / total > 0.35  # top 5% of people hold over a third of all contacts
    assert per_person[len(per_person) // 2] <= 2  # the median person has one or two contacts
    one_system = sum(1 for p in people if len(contacts[p]) == 1)
    assert one_system / len(people) > 0.55
    assert max(per_person) >= 30


def test_frequent_utilizers_have_co_occurring_needs(truth, contacts) -> None:
    _, people = truth
    fu = [p for p, r in people.items() if r["frequent_utilizer"] == "1"]
    others = [p for p, r in people.items() if r["frequent_utilizer"] == "0"]
    assert 0.025 <= len(fu) / len(people) <= 0.045
    needs = ("homeless", "mental_illness", "substance_use")
    co_occurring = [p for p in fu if sum(people[p][k] == "1" for k in needs) >= 2]
    assert len(co_occurring) / len(fu) >= 0.9
    all_three = sum(1 for p in fu if all(people[p][k] == "1" for k in needs))
    assert all_three / len(fu) >= 0.5
    for k in needs:  # far more common among frequent utilizers than in the rest
        share_fu = sum(people[p][k] == "1" for p in fu) / len(fu)
        share_rest = sum(people[p][k] == "1" for p in others) / len(others)
        assert share_fu > 3 * share_rest

    cutoff = datetime(2025, 1, 1)  # the last 12 months of the default window

    def jail_and_shelter(p: str) -> bool:
        return len(contacts[p]["county_jail"]) >= 4 and len(contacts[p]["shelters"]) >= 4

    def recent_multi_system(p: str) -> bool:
        recent = sum(t >= cutoff for times in contacts[p].values() for t in times)
        return len(contacts[p]) >= 3 and recent >= 6

    assert sum(map(jail_and_shelter, fu)) / len(fu) >= 0.45
    assert sum(map(recent_multi_system, fu)) / len(fu) >= 0.75
    # The rules pick out the frequent utilizers, not the general population.
    assert sum(map(jail_and_shelter, others)) <= 0.01 * len(others)
    assert sum(map(recent_multi_system, others)) <= 0.02 * len(others)


def test_identity_errors_at_plausible_rates(county, rows, truth) -> None:
    records, people = truth
    # In-source duplicate ids: a few percent of people per source, never most.
    ids_per_person: dict[str, Counter] = {s: Counter() for s in SOURCE_FILES}
    for (source, _), person in records.items():
        ids_per_person[source][person] += 1
    for source, counts in ids_per_person.items():
        dup_share = sum(1 for n in counts.values() if n > 1) / len(counts)
        assert dup_share <= 0.08, source
    assert sum(1 for n in ids_per_person["police_cad"].values() if n > 1) >= 10
    assert sum(1 for n in ids_per_person["county_jail"].values() if n > 1) >= 5

    def normalized(first: str, last: str) -> tuple[str, str]:
        return " ".join(first.upper().split()), " ".join(last.upper().split())

    # Names a person is recorded under, across all sources.
    names: dict[str, set[tuple[str, str]]] = defaultdict(set)
    nickname_hits = swapped = 0
    for name in ("jail_bookings.csv", "cad_calls.csv", "bh_clients.csv", "shelter_stays.csv"):
        for row in rows[name]:
            person = people[records[(SOURCE_OF[name], row[ID_COLUMN[name]])]]
            first, last = normalized(row["FirstName"], row["LastName"])
            names[person["true_person_id"]].add((first, last))
            if first != person["first_name"] and first in nickname_variants(person["first_name"]):
                nickname_hits += 1
            if (last, first) == (person["first_name"], person["last_name"]):
                swapped += 1
    multi_name = sum(1 for v in names.values() if len(v) > 1)
    assert 0.05 < multi_name / len(names) < 0.6
    assert nickname_hits >= 20 and swapped >= 3
    # Case and whitespace noise.
    raw_names = [r["FirstName"] for r in rows["cad_calls.csv"]]
    assert any(n != n.strip() for n in raw_names) and any(n.islower() for n in raw_names)

    # Missing values follow the systems: jail best, CAD worst.
    def missing(name: str, column: str) -> float:
        return sum(1 for r in rows[name] if not r[column]) / len(rows[name])

    assert missing("jail_bookings.csv", "DOB") == 0
    assert 0.2 < missing("cad_calls.csv", "DOB") < 0.6
    assert missing("jail_bookings.csv", "SSN") < missing("shelter_stays.csv", "SSN") < 0.6
    # Jail aliases: some inmates have 1-3.
    per_inmate = Counter(r["InmateID"] for r in rows["jail_aliases.csv"])
    assert max(per_inmate.values()) <= 3 and len(per_inmate) >= 20


def test_households_twins_and_shared_shelter_addresses(rows, truth) -> None:
    _, people = truth
    by_name_dob = Counter((p["last_name"], p["dob"]) for p in people.values())
    assert any(n >= 2 for n in by_name_dob.values())  # twins (or a coincidence) exist
    surnames = Counter(p["last_name"] for p in people.values())
    top = [name for name, _ in surnames.most_common(5)]
    assert "SMITH" in top or "JOHNSON" in top
    assert surnames.most_common(1)[0][1] > 10 * sorted(surnames.values())[len(surnames) // 2]
    firsts = Counter(p["first_name"] for p in people.values())
    assert {"JAMES", "MARY"} & {name for name, _ in firsts.most_common(5)}
    # Many different people give the same shelter address to the police.
    records, _ = truth
    at_address: dict[str, set[str]] = defaultdict(set)
    for row in rows["cad_calls.csv"]:
        at_address[row["PersonAddress"]].add(records[("police_cad", row["NameID"])])
    assert len(at_address["455 N COMMERCIAL ST, RIVERTON OR 97301"]) >= 20
    # Households: different people share a street address and a surname.
    household: dict[tuple[str, str], set[str]] = defaultdict(set)
    for name in ("bh_clients.csv", "jail_bookings.csv"):
        for row in rows[name]:
            if row["Address"][:1].isdigit():
                key = (row["Address"].upper(), row["LastName"].upper().strip())
                household[key].add(records[(SOURCE_OF[name], row[ID_COLUMN[name]])])
    assert any(len(v) >= 2 for v in household.values())


def test_arguments_are_checked(tmp_path: Path) -> None:
    tiny = generate_county(tmp_path / "tiny", people=1, seed=1)
    assert tiny.n_people == 1 and tiny.rows["truth/people.csv"] == 1
    with pytest.raises(ValueError):
        generate_county(tmp_path / "none", people=0)
    with pytest.raises(ValueError):
        generate_county(tmp_path / "backwards", start=date(2025, 1, 1), end=date(2024, 1, 1))


def test_progress_is_reported(tmp_path: Path) -> None:
    messages: list[str] = []
    generate_county(tmp_path / "p", people=50, progress=messages.append)
    assert len(messages) >= 4 and all(isinstance(m, str) and m for m in messages)


@pytest.mark.slow
def test_fifty_thousand_people_is_fast(tmp_path: Path) -> None:
    started = time.perf_counter()
    county = generate_county(tmp_path / "big", people=50_000, seed=42)
    elapsed = time.perf_counter() - started
    assert elapsed < 45, f"50,000 people took {elapsed:.1f} s"
    assert county.n_people == 50_000
    assert county.rows["truth/people.csv"] == 50_000
    assert county.rows["cad_calls.csv"] > 50_000
    assert 1_500 <= county.n_frequent_utilizers <= 2_000
