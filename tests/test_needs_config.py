"""Needs files are checked on load: every mistake names the file, the key and a fix."""

from __future__ import annotations

import pytest

from ddj.errors import ConfigError
from ddj.identify import default_needs, parse_needs
from ddj.identify.icd import describe, matches, parse_pattern
from ddj.workspace import Workspace


def test_the_default_needs_cover_the_issue() -> None:
    needs = {n.name: n for n in default_needs()}
    assert set(needs) >= {
        "mental_illness",
        "substance_use",
        "homelessness",
        "chronic_condition",
        "crisis",
        "overdose",
    }
    kinds = {n: {e.kind for e in need.evidence} for n, need in needs.items()}
    assert kinds["homelessness"] == {"event_type", "detail", "diagnosis", "address"}
    assert "call_type" in kinds["crisis"] and "event_type" in kinds["crisis"]


@pytest.mark.parametrize(
    ("pattern", "code", "hit"),
    [
        ("F20-F29", "F20.0", True),
        ("F20-F29", "F30.1", False),
        ("I10-I1A", "I16.0", True),
        ("F10.2", "F10.229", True),
        ("F10.2", "F10.10", False),
        ("T40.??1", "T40.411A", True),  # fentanyl, accidental
        ("T40.??1", "T40.415A", False),  # adverse effect, not an overdose
        ("Z59.0", "Z5901", True),  # stored without its dot
    ],
)
def test_code_patterns_match_like_the_sql(pattern, code, hit) -> None:
    assert matches(parse_pattern(pattern), code) is hit


def test_codes_are_described_from_the_code_set() -> None:
    assert describe("T40.411A").startswith("Poisoning by fentanyl")
    assert describe("F2O.0") is None


def _need(**evidence) -> dict:
    return {"needs": [{"name": "x", "evidence": [evidence]}]}


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (_need(diagnosis_codes=["F2O"]), r"evidence #1 diagnosis_codes: 'F2O' .*did you mean F20"),
        (_need(diagnosis_codes=["F29-F20"]), "runs backwards"),
        (_need(diagnosis_codes=["F20-F2"]), "three-character categories"),
        (_need(diagnosis_codes=["T99.??1"]), "matches no ICD-10-CM code"),
        (_need(diagnosis_codes=[]), "diagnosis_codes is empty"),
        (_need(diagnosis_codes=["F20"], call_types=["X"]), "give one of"),
        (_need(systems=["ed"]), "matches nothing"),
        (_need(call_types=["X"], exclude_codes=["F17"]), "exclude_codes goes with"),
        (_need(detail="Living Situation", values=["homeless"]), "detail must be a field"),
        (_need(detail="LivingSituation.category"), "values is empty"),
        (_need(addresses=["HOMELESS"], event_types=["jail_booking"]), "belong to records"),
        (_need(call_types=["X"], colour="red"), "unknown key"),
        ({"needs": [{"name": "x"}]}, "has no \\[\\[needs.evidence\\]\\]"),
        ({"needs": [{"name": "Bad", "evidence": []}]}, "lower_case"),
        ({"needs": []}, "no \\[\\[needs\\]\\]"),
        ({"needs": [{"name": "x", "window_days": 0, "evidence": []}]}, "window_days"),
        (
            {"needs": [{"name": "x", "evidence": [{"event_types": ["a"]}]}] * 2},
            "unique; repeated: x",
        ),
    ],
)
def test_needs_mistakes_are_clear(raw, message) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        parse_needs(raw, where="county-needs.toml")
    assert caught.value.where == "county-needs.toml"


def test_a_code_mistake_carries_a_fix() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_needs(_need(diagnosis_codes=["F2O"]), where="county-needs.toml")
    assert "F20-F29" in caught.value.fix


def test_a_county_needs_file_replaces_the_default(tmp_path) -> None:
    (tmp_path / "needs.toml").write_text(
        '[[needs]]\nname = "veteran"\n  [[needs.evidence]]\n  detail = "VeteranStatus"\n'
        '  values = ["1"]\n',
        encoding="utf-8",
    )
    ws = Workspace.init(tmp_path, config_text='[identify]\nneeds = "needs.toml"\n')
    assert [n.name for n in ws.need_definitions()] == ["veteran"]
    ws.close()


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ('[identify]\nneeds = "missing.toml"\n', "no file"),
        ('[identify]\nneed = "needs.toml"\n', "unknown key"),
        ("[identify]\nneeds = 3\n", "must be a file path"),
    ],
)
def test_the_needs_setting_is_checked(tmp_path, config, message) -> None:
    ws = Workspace.init(tmp_path, config_text=config)
    with pytest.raises(ConfigError, match=message) as caught:
        ws.need_definitions()
    assert caught.value.where.endswith("ddj.toml")
    ws.close()


def test_a_broken_needs_file_names_itself(tmp_path) -> None:
    (tmp_path / "needs.toml").write_text(
        '[[needs]]\nname = "x"\n  [[needs.evidence]]\n  diagnosis_codes = ["F2O"]\n',
        encoding="utf-8",
    )
    ws = Workspace.init(tmp_path, config_text='[identify]\nneeds = "needs.toml"\n')
    with pytest.raises(ConfigError) as caught:
        ws.identify()
    assert caught.value.where == str(tmp_path / "needs.toml")
    assert "need 'x' evidence #1 diagnosis_codes" in caught.value.message
    ws.close()


def test_a_cohort_naming_a_need_the_county_dropped_says_so(tmp_path) -> None:
    (tmp_path / "needs.toml").write_text(
        '[[needs]]\nname = "veteran"\n  [[needs.evidence]]\n  detail = "VeteranStatus"\n'
        '  values = ["1"]\n',
        encoding="utf-8",
    )
    ws = Workspace.init(tmp_path, config_text='[identify]\nneeds = "needs.toml"\n')
    with pytest.raises(ConfigError, match="ed_mental_health.*no need named 'mental_illness'") as e:
        ws.cohort_rules()
    assert "veteran" in e.value.fix
    ws.close()


def test_a_county_needs_file_is_read_again_when_it_changes(tmp_path) -> None:
    needs_file = tmp_path / "needs.toml"
    entry = '[[needs]]\nname = "{}"\n  [[needs.evidence]]\n  event_types = ["bh_crisis"]\n'
    needs_file.write_text(entry.format("crisis"), encoding="utf-8")
    ws = Workspace.init(tmp_path, config_text='[identify]\nneeds = "needs.toml"\n')
    assert [n.name for n in ws.need_definitions()] == ["crisis"]
    needs_file.write_text(entry.format("crisis_services"), encoding="utf-8")
    assert [n.name for n in ws.need_definitions()] == ["crisis_services"]
    ws.close()
