"""The shortcuts the importers take for speed give exactly what the plain code gives: the row
hashes (so a workspace filled by an earlier version recognises re-sent rows), the compiled date
parsers, the per-column parsers of the tabular importer and the CSV reader's encoding check."""

from __future__ import annotations

import gc
import json
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ddj import Workspace
from ddj.ingest import fields, tabular, writer
from ddj.ingest.canonical import ParsedFile
from ddj.ingest.profile import resolve_profile
from ddj.ingest.run import fewer_collections
from ddj.ingest.writer import write_batch


def _golden_parsed() -> ParsedFile:
    parsed = ParsedFile(rows_read=3)
    parsed.records["P1"] = {
        "first_name": "JOSÉ",
        "last_name": 'O\'NEIL "JR"',
        "dob": date(1980, 2, 29),
        "sex": "M",
        "ssn": "12345678x",
        "ssn_last4": None,
        "address": "1 MAIN ST\\APT 2",
        "zip": "97301",
        "other_ids": {"mrn": "M1", "inmate_id": "7"},
        "dq_codes": {"b": "2", "a": "1"},
        "part2": True,
    }
    parsed.records["P2"] = {
        "last_name": "DOE",
        "dob": None,
        "dob_quality": "approximate",
        "other_ids": {},
        "dq_codes": {},
    }
    parsed.events["E1"] = {
        "event_type": "jail_booking",
        "start_at": datetime(2024, 1, 5, 10, 0),
        "end_at": datetime(2024, 1, 6, 9, 0, 0, 123456),
        "location": "MAIN JAIL",
        "charges": ["TRESPASS", "DUI"],
        "diagnosis_codes": None,
        "cost": 1234.5,
        "part2": False,
        "source_person_id": "P1",
        "details": {"z": 1, "a": [date(2024, 1, 1), None], "é": "ü"},
    }
    parsed.events["E2"] = {
        "event_type": "ed_visit",
        "start_at": datetime(2024, 3, 1),
        "source_person_id": "P2",
        "diagnosis_codes": ["F20.9"],
        "cost": 0.1,
        "part2": True,
    }
    parsed.aliases += [
        {
            "source_person_id": "P1",
            "first_name": "JOE",
            "last_name": "ONEIL",
            "dob": date(1980, 2, 29),
        },
        {"source_person_id": "P2", "first_name": None, "last_name": "ROE", "dob": None},
    ]
    return parsed


def test_row_hashes_are_those_earlier_versions_stored(tmp_path: Path) -> None:
    """Hashes written by ddj before the writer was made faster (json.dumps per row): the same
    content must hash the same, or a workspace would take every re-sent row for a change."""
    ws = Workspace.init(tmp_path / "ws")
    write_batch(
        ws.store,
        _golden_parsed(),
        source="s",
        system="jail_booking",
        fmt="table",
        profile=None,
        path="x",
        sha256="x",
    )
    assert ws.store.sql("SELECT record_key, row_hash FROM source_record ORDER BY 1") == [
        ("s|P1", "130aef3120cef2fda31279c77cb2d25a4a733988"),
        ("s|P2", "1afcc8e401fb4b14dab7cb4e5504945066f685ba"),
    ]
    assert ws.store.sql("SELECT event_key, row_hash, details FROM event ORDER BY 1") == [
        (
            "s|E1",
            "fcd42f82063fb0049ab2c70927ee1878a57c96d2",
            '{"a": ["2024-01-01", null], "z": 1, "\\u00e9": "\\u00fc"}',
        ),
        ("s|E2", "d6415406b6cc9495aba85c2cd13890f2ff43785e", "{}"),
    ]
    assert ws.store.sql("SELECT record_key, alias_hash FROM record_alias ORDER BY 1") == [
        ("s|P1", "dd5d32fe80649d6776054a921dca9e1faa6fe7ce"),
        ("s|P2", "c669904b690978ae0867272891c18d9fdc9312a5"),
    ]
    # Written again (another file, same content): nothing new.
    again = write_batch(
        ws.store,
        _golden_parsed(),
        source="s",
        system="jail_booking",
        fmt="table",
        profile=None,
        path="y",
        sha256="y",
    )
    assert (again.records_added, again.records_changed, again.events_added) == (0, 0, 0)
    assert again.events_changed == 0
    ws.close()


_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(),
    st.dates(),
    st.datetimes(),
)
_json_like = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=5), inner, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(_json_like)
def test_the_hash_text_is_json_dumps(value: Any) -> None:
    assert writer._dumps(value) == json.dumps(value, sort_keys=True, default=str)


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.none(), st.text(), st.dates(), st.datetimes()))
def test_dates_are_written_into_the_hash_as_default_str_would(value: Any) -> None:
    assert writer._dumps({"v": writer._text(value)}) == json.dumps(
        {"v": value}, sort_keys=True, default=str
    )


_FORMAT_LISTS = [
    ("%m/%d/%Y %H:%M", "%m/%d/%Y %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"),
    ("%d/%m/%Y", "%m/%d/%Y"),
    ("%Y%m%d",),
    ("%Y-%m", "%Y"),
    ("%H:%M %d/%m/%Y",),
    ("%d.%m.%Y", "%b %d %Y"),  # %b is not a fast format: the formats are tried one by one
]
_DATE_TEXT = st.one_of(
    st.datetimes().map(str),
    st.datetimes().map(lambda d: d.strftime("%m/%d/%Y %H:%M")),
    st.datetimes().map(lambda d: f"{d.month}/{d.day}/{d.year:04d} {d.hour}:{d.minute}"),
    st.datetimes().map(lambda d: f"{d.day:02d}/{d.month:02d}/{d.year:04d}"),
    st.dates().map(lambda d: d.strftime("%Y%m%d")),
    st.from_regex(r"\A[0-9 /:.Tt%-]{0,20}\Z"),
    st.none(),
    st.dates(),
    st.datetimes(),
)


def _outcome(parse: Any, *args: Any) -> tuple[str, Any]:
    try:
        return "ok", parse(*args)
    except fields.FieldError as exc:
        return "error", str(exc)


@settings(max_examples=600, deadline=None)
@given(st.sampled_from(_FORMAT_LISTS), st.sampled_from([(), ("%Y-%m-%d",)]), _DATE_TEXT)
def test_compiled_date_parsers_agree_with_the_plain_ones(
    formats: tuple[str, ...], date_formats: tuple[str, ...], raw: Any
) -> None:
    today = date(2025, 6, 1)
    got = _outcome(fields.datetime_parser(formats, date_formats), raw)
    assert got == _outcome(fields.parse_datetime, raw, formats, date_formats)
    got = _outcome(fields.date_parser(formats), raw)
    expected = _outcome(fields.parse_date, raw, formats)
    assert got == expected and type(got[1]) is type(expected[1])
    assert _outcome(fields.dob_parser(formats, today), raw) == _outcome(
        fields.parse_dob, raw, formats, today
    )


def test_an_impossible_date_in_the_first_format_falls_to_the_next() -> None:
    # 09/31/4672 fits %m%d%Y but September has no 31st; %Y%m%d%H%M reads it (0931-04-06 07:02).
    formats = ("%m%d%Y", "%Y%m%d%H%M")
    assert fields.datetime_parser(formats, ())("09314672") == datetime(931, 4, 6, 7, 2)
    assert fields.parse_datetime("09314672", formats, ()) == datetime(931, 4, 6, 7, 2)
    parse = fields.date_parser(("%m/%d/%Y", "%d/%m/%Y"))
    assert parse("13/02/2024") == date(2024, 2, 13)  # no month 13: the second format
    with pytest.raises(fields.FieldError, match="unparseable date"):
        parse("02/30/2024")


_RAW = st.one_of(
    st.text(max_size=12),
    st.text(alphabet=" 0123456789-/;:,.$xXyYnN", max_size=14),
    st.sampled_from(["Y", "n", "true", " F ", "Female", "01/02/1980", "1980-01-02", " ", ""]),
    st.none(),
    st.integers(-5, 99999),
    st.floats(allow_nan=False),
)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["jail_bookings", "bh_services", "bh_clients", "cad_calls"]), _RAW)
def test_each_columns_parser_is_the_plain_parse(profile_name: str, raw: Any) -> None:
    profile = resolve_profile(profile_name, {}, Path("."))
    mapper = tabular._RowMapper(profile, set(profile.columns.values()), date(2025, 6, 1))
    for name in profile.columns:
        expected = repr(_outcome(mapper._parse, name, raw))  # (repr: "nan" parses to NaN)
        assert repr(_outcome(mapper._parser(name), raw)) == expected, name
        if name != "sex":  # (sex: the code map is applied on top, see map())
            compiled = mapper._compiled(name)
            assert repr(_outcome(compiled, raw)) == expected, name
            assert repr(_outcome(compiled, raw)) == expected, name  # remembered


def test_repeated_values_are_parsed_once_and_lists_are_not_shared(tmp_path: Path) -> None:
    profile = resolve_profile("jail_bookings", {}, Path("."))
    mapper = tabular._RowMapper(profile, set(profile.columns.values()), date(2025, 6, 1))
    row = {
        "InmateID": "1",
        "BookingNumber": "B1",
        "LastName": " lee ",
        "DOB": "01/02/1980",
        "BookingDateTime": "01/05/2024 10:00",
        "Charges": "A;B",
    }
    first, second = mapper.map(dict(row)), mapper.map(dict(row, BookingNumber="B2"))
    assert first["dob"] == second["dob"] == date(1980, 1, 2)
    assert first["last_name"] == "LEE"
    assert first["charges"] == second["charges"] == ["A", "B"]
    assert first["charges"] is not second["charges"]
    with pytest.raises(tabular._Rejected) as bad:
        mapper.map(dict(row, DOB="13/45/1990"))
    assert (bad.value.column, bad.value.value) == ("DOB", "13/45/1990")
    with pytest.raises(tabular._Rejected):  # an error is never remembered as a value
        mapper.map(dict(row, DOB="13/45/1990"))


def test_a_bad_byte_on_any_line_of_a_quoted_multiline_row_quarantines_it(tmp_path: Path) -> None:
    path = tmp_path / "clients.csv"
    path.write_bytes(
        b"ClientID,FirstName,LastName,Address\n"
        b'C1,Ann,Lee,"1 Main\n'
        b'St"\n'
        b'C2,B\xffb,Roe,"2 Oak\n'  # the bad byte on the first of the row's two lines
        b'Ave"\n'
        b"C3,Cy,Poe,3 Elm\n"
        b"C4,D\xef\xbf\xbdn,Day,4 Ash\n"  # U+FFFD written as such: unreadable too
    )
    from ddj.ingest.readers import iter_rows

    rows = list(iter_rows(path))
    assert [(n, problem) for n, _, problem in rows] == [
        (1, None),
        (2, ("FirstName", None, "bad encoding: the row is not valid UTF-8")),
        (3, None),
        (4, ("FirstName", None, "bad encoding: the row is not valid UTF-8")),
    ]
    assert rows[0][1]["Address"] == "1 Main\nSt"


def test_fewer_collections_restores_the_thresholds() -> None:
    before = gc.get_threshold()
    with fewer_collections():
        assert gc.get_threshold()[0] >= 100_000
    assert gc.get_threshold() == before
    gc.set_threshold(0)
    try:
        with fewer_collections():
            assert gc.get_threshold()[0] == 0  # collection stays off when it was off
    finally:
        gc.set_threshold(*before)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_arrow_columns_are_what_pyarrow_array_builds(data: Any) -> None:
    import pyarrow as pa

    from ddj.ingest import arrow

    text = st.one_of(st.none(), st.text(max_size=8))
    kinds = {
        pa.string(): text,
        pa.date32(): st.one_of(st.none(), st.dates()),
        pa.timestamp("us"): st.one_of(
            st.none(),
            st.datetimes(),
            st.datetimes(
                min_value=datetime(1900, 1, 2),
                timezones=st.sampled_from([UTC, timezone(timedelta(hours=-8))]),
            ),
        ),
        pa.float64(): st.one_of(st.none(), st.floats(allow_nan=False), st.integers(-99, 99)),
        pa.int32(): st.one_of(st.none(), st.integers(-(2**31), 2**31 - 1)),
        pa.bool_(): st.one_of(st.none(), st.booleans()),
        pa.list_(pa.string()): st.one_of(st.none(), st.lists(st.text(max_size=4), max_size=3)),
        pa.map_(pa.string(), pa.string()): st.one_of(
            st.none(), st.dictionaries(st.text(max_size=4), text, max_size=3)
        ),
    }
    kind = data.draw(st.sampled_from(list(kinds)))
    values = data.draw(st.lists(kinds[kind], max_size=40))
    built = arrow.column(values, kind)
    built.validate(full=True)
    assert built.equals(pa.array(values, kind))


def test_writing_a_batch_does_not_import_pandas(tmp_path: Path) -> None:
    """pyarrow.array imports pandas (0.4 s of CPU); the writer builds its Arrow columns itself."""
    import subprocess
    import sys

    script = (
        "import sys; from pathlib import Path; from ddj import Workspace\n"
        "ws = Workspace.init(Path(sys.argv[1]))\n"
        "path = Path(sys.argv[1]) / 'x.csv'\n"
        "path.write_text('ClientID,FirstName,LastName,DateOfBirth\\nC1,Ann,Lee,1980-01-02\\n')\n"
        "[s] = ws.ingest(path=path, system='behavioral_health', profile='bh_clients')\n"
        "assert s.records_added == 1, s.line()\n"
        "print('pandas' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "ws")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "False"


def test_hmis_rows_with_a_bad_byte_on_any_of_their_lines_are_quarantined() -> None:
    from ddj.ingest.hmis.export import _data_rows

    lines = [
        b'P1,Ann,"1 Main\n',
        b'St"\n',
        b'P2,B\xffb,"2 Oak\n',  # the bad byte on the first of the row's two lines
        b'Ave"\n',
        b"P3,Cy,3 Elm\n",
        b"P4,D\xef\xbf\xbdn,4 Ash,extra\n",  # U+FFFD as such, in a row too wide as well
    ]
    rows = list(_data_rows(iter(lines), ["PersonalID", "FirstName", "Address"]))
    assert [(n, problem) for n, _, problem in rows] == [
        (1, None),
        (2, ("FirstName", "bad encoding: the row is not valid UTF-8")),
        (3, None),
        (4, ("FirstName", "bad encoding: the row is not valid UTF-8")),
    ]
