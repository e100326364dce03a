"""The report options of the commands: ``--lang`` checked before any work (exit code 2, nothing
written), and an English report when asked."""

from __future__ import annotations

import pytest
from support.cli import invoke


@pytest.mark.parametrize("args", [
    ["demo", "--n", "5"],
    ["propose", "--households", "h.csv", "--period", "2025-H2", "--date", "2025-08-04"],
    ["reception", "--variant", "bonus-only"],
    ["compare", "statutory", "bonus-only"],
])
def test_unknown_language_exits_2_and_writes_nothing(tmp_path, args):
    out = tmp_path / "out"
    result = invoke(*args, "--lang", "de", "--out", str(out), "--quiet")
    assert result.exit_code == 2, result.output
    assert "--lang" in result.stderr and "'de'" in result.stderr and "nl, en" in result.stderr
    assert "Traceback" not in result.output and not out.exists()


def test_demo_in_english(tmp_path):
    out = tmp_path / "demo"
    result = invoke("demo", "--n", "12", "--lang", "en", "--out", str(out), "--quiet")
    assert result.exit_code == 0, result.output
    html = (out / "proposal" / "report.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in html and "Koppeling proposal (demo)" in html and "Households linked" in html
    assert "Samenvatting" not in html
