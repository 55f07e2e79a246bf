"""`ddj identify` as a user runs it: the needs file to start from, and a broken one in one line."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

from ddj.identify import parse_needs


def ddj(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ddj.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=120,
    )


def test_print_needs_gives_a_file_a_county_can_edit(tmp_path) -> None:
    done = ddj("identify", "--print-needs", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    needs = parse_needs(tomllib.loads(done.stdout), where="printed")
    assert "homelessness" in {n.name for n in needs}


def test_a_wrong_code_in_a_county_needs_file_is_one_line(tmp_path) -> None:
    (tmp_path / "needs.toml").write_text(
        '[[needs]]\nname = "mh"\n  [[needs.evidence]]\n  diagnosis_codes = ["F2O-F29"]\n',
        encoding="utf-8",
    )
    (tmp_path / "ddj.toml").write_text('[identify]\nneeds = "needs.toml"\n', encoding="utf-8")
    done = ddj("identify", cwd=tmp_path)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr
    assert "needs.toml" in lines[0] and "F2O" in lines[0] and "did you mean F20" in lines[0]
