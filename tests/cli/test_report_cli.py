"""The report options of the commands: ``--lang`` checked before any work (exit code 2, nothing
written), Dutch by default, and English when asked: the report, the households' reasons, the
statuses in the report, the unit of points and fairness.csv."""

from __future__ import annotations

import pandas as pd
import pytest
from support.cli import invoke


def _proposal(folder) -> pd.DataFrame:
    return pd.read_csv(folder / "proposal.csv", dtype=str, keep_default_na=False)


@pytest.mark.parametrize("args", [
    ["demo", "--n", "5"],
    ["propose", "--households", "h.csv", "--period", "2025-H2", "--date", "2025-08-04"],
    ["reception", "--variant", "bonus-only"],
    ["compare", "statutory", "bonus-only"],
    ["compare", "default", "labour-first", "--households", "h.csv", "--state", "s.csv"],
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
    proposal = _proposal(out / "proposal")
    first = {"linked": "Linked to ", "unplaced": "Not linked: ", "excluded": "Excluded: ", "context": "Already linked"}
    assert all(r.startswith(first[s]) for s, r in zip(proposal["status"], proposal["reason"]))
    assert proposal["points_unit"].str.startswith("term_* and alt*_delta columns are in points").all()
    assert '"status":"linked"' not in html and "gekoppeld" not in html  # statuses in English words


def test_demo_is_dutch_by_default(tmp_path):
    out = tmp_path / "demo"
    result = invoke("demo", "--n", "12", "--out", str(out), "--quiet")
    assert result.exit_code == 0, result.output
    html = (out / "proposal" / "report.html").read_text(encoding="utf-8")
    assert '<html lang="nl">' in html and "Samenvatting" in html and "Summary" not in html
    assert ">optimaal<" in html  # the solve's status in Dutch too
    proposal = _proposal(out / "proposal")
    first = {"linked": "Gekoppeld aan ", "unplaced": "Niet geplaatst: ", "excluded": "Uitgesloten: ",
             "context": "Eerder al gekoppeld"}
    assert all(r.startswith(first[s]) for s, r in zip(proposal["status"], proposal["reason"]))
    assert set(proposal["status"]) <= set(first)  # the CSV keeps the status codes
    assert proposal["points_unit"].str.startswith("de kolommen term_* en alt*_delta zijn in punten").all()
    assert "gekoppeld" in html and "Linked to" not in html
    fairness = pd.read_csv(out / "proposal" / "fairness.csv", dtype=str, keep_default_na=False)
    assert not fairness.empty and fairness["reason"].str.contains("geen|plafond|harde|ondeelbaar|elders").all()

