"""The province commands end to end: ``evaluate``, ``monitor``, ``forecast`` (from files and from
the ledger) and ``compare`` of koppeling variants on a tiny batch; every output folder complete
(CSV tables, report.html, report.xlsx, run.json) and re-checked from the files; bad input exits
with code 2 naming file or option, row, column and value, and writes nothing."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from support.cli import formula, invoke, population
from support.cycle import new_ledger, write_proposal

from optimizer.core.periods import Period
from optimizer.cycle.housing import record_housing
from optimizer.cycle.ledger import open_ledger
from optimizer.cycle.periods import close_period
from optimizer.cycle.proposals import accept_proposal
from optimizer.cycle.status import period_status
from optimizer.data.synthetic import generate_households
from optimizer.rules.state import build_state

A, B, C = "GM0014", "GM0034", "GM0363"
REPORT_FILES = {"report.html", "report.xlsx", "run.json"}


def read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def assert_folder(out: Path, tables: set[str], command: str) -> dict:
    assert {p.name for p in out.iterdir()} == REPORT_FILES | {f"{t}.csv" for t in tables}
    record = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert record["engine"] == "spreiding" and record["command"] == command
    assert sorted(record["outputs"]) == sorted(p.name for p in out.iterdir())
    assert "<html" in (out / "report.html").read_text(encoding="utf-8")
    return record


def assert_rejected(result, out: Path, *fragments: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and not out.exists()
    for fragment in fragments:
        assert fragment in result.output, result.output


# ------------------------------------------------------------------------------------------
# evaluate
# ------------------------------------------------------------------------------------------

@pytest.fixture()
def realised(tmp_path) -> Path:
    path = tmp_path / "realised.csv"
    path.write_text(f"gm_code,housed\n{A},30\n{B},0\n{C},100\n", encoding="utf-8")
    return path


def test_evaluate_a_realisation_against_the_taakstelling(tmp_path, realised):
    out = tmp_path / "eval"
    result = invoke("evaluate", "--distribution", str(realised), "--period", "2025-H2", "--out", str(out))
    assert result.exit_code == 0, result.output
    record = assert_folder(out, {"gemeenten", "provinces", "summary", "lorenz"}, "evaluate")
    gem = read(out / "gemeenten.csv").set_index("gm_code")
    expected = formula(13000, population("2024-01-01"))  # 2025-H2: population of 1 January 2024
    assert gem["target"].astype(float).astype(int).to_dict() == expected
    assert gem.loc[A, "actual"] == "30.0" and gem.loc["GM0037", "actual"] == "0.0"  # absent: 0
    assert float(gem.loc[A, "deviation"]) == 30 - expected[A]
    assert int(record["summary"]["gemeenten_with_nothing"]) == 340  # 339 absent and Almere with 0
    assert any("339 gemeenten are not in" in n for n in record["notes"])
    assert record["summary"]["total_target"] == sum(expected.values())
    html = (out / "report.html").read_text(encoding="utf-8")  # Dutch numbers in a Dutch report: 13.000, 0,1234
    assert f"{sum(expected.values()):,}".replace(",", ".") in html
    assert f"{record['summary']['gini']:.4f}".replace(".", ",") in html


def test_evaluate_reception_capacity_against_a_key_in_english(tmp_path):
    out = tmp_path / "places"
    result = invoke("evaluate", "--reception-capacity", "--key", "eu2024", "--lang", "en", "--out", str(out))
    assert result.exit_code == 0, result.output
    summary = read(out / "summary.csv").iloc[0]
    assert float(summary["total_target"]) == float(summary["total_actual"])  # the key shares the same total
    assert "Evaluation of a distribution" in (out / "report.html").read_text(encoding="utf-8")
    lorenz = read(out / "lorenz.csv")
    assert len(lorenz) == 343 and lorenz["share_amount"].astype(float).is_monotonic_increasing


def test_evaluate_bad_input(tmp_path, realised):
    out = tmp_path / "bad"
    bad = tmp_path / "bad.csv"
    bad.write_text(f"gm_code,persons\n{A},3\nGM9999,-2\n", encoding="utf-8")
    assert_rejected(invoke("evaluate", "--distribution", str(bad), "--out", str(out)), out,
                    f"{bad}, row 3, column 'gm_code': value 'GM9999'", f"{bad}, row 3, column 'persons': value '-2'")
    assert_rejected(invoke("evaluate", "--distribution", str(realised), "--period", "2025-H2", "--key", "population",
                           "--out", str(out)), out, "--period / --key", "at most one target")
    assert_rejected(invoke("evaluate", "--distribution", str(realised), "--column", "places", "--out", str(out)),
                    out, "column 'places'", "no amount column")
    assert_rejected(invoke("evaluate", "--out", str(out)), out, "exactly one source")
    assert_rejected(invoke("evaluate", "--reception-capacity", "--key", "nope", "--out", str(out)), out,
                    "--key: value 'nope'")
    assert_rejected(invoke("evaluate", "--reception-capacity", "--lang", "fr", "--out", str(out)), out,
                    "--lang: value 'fr'")


# ------------------------------------------------------------------------------------------
# monitor
# ------------------------------------------------------------------------------------------

HISTORY = f"""gm_code,period,taakstelling,housed,awaiting_nareizigers
{A},2025-H1,10,9,
{A},2025-H2,10,10,
{B},2025-H1,10,4,
{B},2025-H2,10,10,4
{B},2026-H1,10,10,
"""


def test_monitor_strict_and_fair_side_by_side(tmp_path):
    history = tmp_path / "history.csv"
    history.write_text(HISTORY, encoding="utf-8")
    out = tmp_path / "monitor"
    result = invoke("monitor", "--realisations", str(history), "--out", str(out))
    assert result.exit_code == 0, result.output
    record = assert_folder(out, {"stoplicht", "ladder", "spared", "provinces"}, "monitor")
    st = read(out / "stoplicht.csv")
    # A: 1 short (strict red, fair orange), then 11 required and 10 housed: again 1 short
    # B: 6 short; then 16 required, 10 housed, 4 waiting for nareizigers (+2 tolerance): orange; 2026-H1 red
    assert st["verdict_strict"].tolist() == ["red", "red", "red", "red", "red"]
    assert st["verdict_fair"].tolist() == ["orange", "orange", "red", "orange", "red"]
    assert st["step_fair"].astype(int).tolist() == [0, 0, 1, 1, 2]
    assert st["step_strict"].astype(int).tolist() == [1, 2, 1, 2, 3]
    spared = read(out / "spared.csv")
    assert sorted(set(spared["gm_code"])) == [A, B]
    reason = spared.loc[spared["gm_code"] == B, "reason"].iloc[0]
    assert "4 personen wachten op nareizigers" in reason
    assert record["variant"]["name"] == "default" and record["spared_gemeenten"] == 2
    flevo = tmp_path / "flevo"
    assert invoke("monitor", "--realisations", str(history), "--rules", "flevoland", "--lang", "en",
                  "--out", str(flevo)).exit_code == 0
    assert "Gemeenten the fair rule spares" in (flevo / "report.html").read_text(encoding="utf-8")


def test_monitor_excuses_file_fills_in_what_the_realisations_lack(tmp_path):
    history = tmp_path / "history.csv"
    history.write_text(HISTORY, encoding="utf-8")
    excuses = tmp_path / "excuses.csv"
    excuses.write_text(f"gm_code,period,excused\n{B},2026-H1,true\n", encoding="utf-8")
    out = tmp_path / "monitor"
    assert invoke("monitor", "--realisations", str(history), "--excuses", str(excuses), "--out", str(out)).exit_code == 0
    st = read(out / "stoplicht.csv")
    assert st["verdict_fair"].tolist() == ["orange", "orange", "red", "orange", "orange"]  # B 2026-H1 excused
    assert st["step_fair"].astype(int).tolist()[-1] == 1 and st["step_strict"].astype(int).tolist()[-1] == 3
    assert st["awaiting_nareizigers"].tolist()[3] == "4"  # the file's own column is kept


def test_monitor_bad_input(tmp_path):
    history = tmp_path / "history.csv"
    history.write_text(HISTORY.replace(f"{B},2025-H2,10,10,4", f"{B},2025-H2,10,-3,4"), encoding="utf-8")
    out = tmp_path / "bad"
    assert_rejected(invoke("monitor", "--realisations", str(history), "--out", str(out)), out,
                    f"{history}, row 5, column 'housed': value '-3'")
    history.write_text(HISTORY, encoding="utf-8")
    assert_rejected(invoke("monitor", "--realisations", str(history), "--rules", "nowhere", "--out", str(out)),
                    out, "monitoring variant not found")
    rules = tmp_path / "rules.toml"
    rules.write_text('kind = "monitoring"\n[stoplicht]\ntolerance_persons = -1\n', encoding="utf-8")
    assert_rejected(invoke("monitor", "--realisations", str(history), "--rules", str(rules), "--out", str(out)),
                    out, "column 'stoplicht.tolerance_persons': value -1")
    excuses = tmp_path / "excuses.csv"
    excuses.write_text(f"gm_code,period,incomplete_dossiers\n{C},2025-H1,2\n", encoding="utf-8")
    assert_rejected(invoke("monitor", "--realisations", str(history), "--excuses", str(excuses), "--out", str(out)),
                    out, f"{excuses}, row 2, column 'gm_code+period'", "no realisation")
    assert_rejected(invoke("monitor", "--out", str(out)), out, "exactly one of --realisations")


# ------------------------------------------------------------------------------------------
# the ledger as the source
# ------------------------------------------------------------------------------------------

H1 = Period(2025, 1)


@pytest.fixture()
def closed_ledger(tmp_path) -> Path:
    """2025-H1: A1 (3 persons, Groningen) linked in January and housed; B1 (2, Almere) linked in May."""
    ledger = new_ledger(tmp_path / "ledger.sqlite", H1)
    week1 = write_proposal(tmp_path / "w1", [("A1", "linked", A, 3)], date(2025, 1, 13))
    week2 = write_proposal(tmp_path / "w2", [("B1", "linked", B, 2)], date(2025, 5, 5), note="2")
    with open_ledger(ledger) as book:
        accept_proposal(book, week1)
        accept_proposal(book, week2)
        record_housing(book, households=pd.DataFrame({"household_id": ["A1"], "housed_on": ["2025-02-03"]}))
        close_period(book, H1)
    return ledger


def test_monitor_and_evaluate_read_the_ledger(tmp_path, closed_ledger):
    out = tmp_path / "monitor"
    result = invoke("monitor", "--ledger", str(closed_ledger), "--out", str(out))
    assert result.exit_code == 0, result.output
    st = read(out / "stoplicht.csv").set_index("gm_code")
    assert len(st) == 342 and set(st["period"]) == {"2025-H1"}
    assert st.loc[A, "housed"] == "3" and st.loc[A, "linked_by_deadline"] == "3"
    assert st.loc[B, "linked_by_deadline"] == "0"  # B1 was linked after 1 April
    assert int(st.loc[B, "coa_shortfall"]) == int(st.loc[B, "required"])
    ev = tmp_path / "eval"
    result = invoke("evaluate", "--ledger", str(closed_ledger), "--period", "2025-H1", "--measure", "linked",
                    "--out", str(ev))
    assert result.exit_code == 0, result.output
    gem = read(ev / "gemeenten.csv").set_index("gm_code")
    assert gem.loc[[A, B], "actual"].astype(float).tolist() == [3.0, 2.0]
    assert_rejected(invoke("evaluate", "--ledger", str(closed_ledger), "--out", str(tmp_path / "x")),
                    tmp_path / "x", "--period")


def test_forecast_from_the_ledger(tmp_path, closed_ledger):
    pipeline = tmp_path / "pipeline.csv"
    pipeline.write_text("household_id,persons,children,child_ages,expected_permit\nB1,2,0,,2025-05-02\n"
                        "N1,3,1,6,2025-05-20\n", encoding="utf-8")
    out = tmp_path / "forecast"
    result = invoke("forecast", "--pipeline", str(pipeline), "--date", "2025-05-01", "--ledger", str(closed_ledger),
                    "--out", str(out))
    assert result.exit_code == 0, result.output
    gem = read(out / "gemeenten.csv").set_index("gm_code")
    persons = gem["expected_persons"].astype(float)
    with open_ledger(closed_ledger) as book:
        to_link = period_status(book, H1, date(2025, 5, 1))["to_link"].astype(float)
    share = to_link / to_link.sum()
    assert persons.sum() == pytest.approx(5, abs=1e-3)
    # B1 is linked to Almere in the ledger; N1 follows the persons still to link
    assert persons[B] == pytest.approx(2 + 3 * share[B], abs=1e-3)
    assert persons[A] == pytest.approx(3 * share[A], abs=1e-3)
    assert float(gem["children_4_11"].astype(float).sum()) == pytest.approx(1, abs=1e-3)


# ------------------------------------------------------------------------------------------
# forecast
# ------------------------------------------------------------------------------------------

PIPELINE = """household_id,persons,children,child_ages,expected_permit,probability,gm_code
P1,4,2,1;9,2025-08-10,0.5,
P2,2,1,15,2025-09-15,1,
P3,1,0,,2025-08-20,1,GM0363
"""


def test_forecast_adds_up_to_the_pipeline_and_the_proposal(tmp_path):
    pipeline = tmp_path / "pipeline.csv"
    pipeline.write_text(PIPELINE, encoding="utf-8")
    proposal = write_proposal(tmp_path / "proposal", [("P2", "linked", B, 2), ("X9", "linked", A, 1)],
                              date(2025, 8, 4))
    (proposal / "proposal.csv").write_text("household_id,status,gm_code,persons,adults,children\n"
                                           f"P2,linked,{B},2,1,1\nX9,linked,{A},1,1,0\n", encoding="utf-8")
    (proposal / "gemeenten.csv").write_text(f"gm_code,persons,target\n{A},1,3\n{B},2,1\n", encoding="utf-8")
    out = tmp_path / "forecast"
    result = invoke("forecast", "--pipeline", str(pipeline), "--date", "2025-08-04", "--proposal", str(proposal),
                    "--out", str(out))
    assert result.exit_code == 0, result.output
    record = assert_folder(out, {"gemeenten", "regions"}, "forecast")
    gem = read(out / "gemeenten.csv").set_index("gm_code")
    value = gem[["expected_persons", "children_0_3", "children_4_11", "children_12_17"]].astype(float)
    assert value["expected_persons"].sum() == pytest.approx(0.5 * 4 + 2 + 1, abs=1e-3)
    # P1 splits 3:1 over the batch targets (A 3, B 1); P2 goes where the proposal links it; P3 is known
    assert value.loc[A, "expected_persons"] == pytest.approx(0.75 * 2)
    assert value.loc[B, "expected_persons"] == pytest.approx(0.25 * 2 + 2)
    assert value.loc[C, "expected_persons"] == pytest.approx(1)
    assert value.loc[B, "children_12_17"] == pytest.approx(1)
    assert value.loc[A, ["children_0_3", "children_4_11"]].tolist() == pytest.approx([0.375, 0.375])
    assert record["totals"]["pipeline_expected_persons"] == 5.0 and record["known"] == 2


def test_forecast_bad_input(tmp_path):
    pipeline = tmp_path / "pipeline.csv"
    pipeline.write_text(PIPELINE.replace("P2,2,1,15", "P2,2,1,15;3").replace("0.5", "1.5"), encoding="utf-8")
    out = tmp_path / "bad"
    assert_rejected(invoke("forecast", "--pipeline", str(pipeline), "--date", "2025-08-04", "--out", str(out)), out,
                    f"{pipeline}, row 2, column 'probability': value '1.5'",
                    f"{pipeline}, row 3, column 'child_ages': value '15;3'")
    assert_rejected(invoke("forecast", "--pipeline", str(pipeline), "--date", "4-8-2025", "--out", str(out)), out,
                    "--date: value '4-8-2025'")
    assert_rejected(invoke("forecast", "--pipeline", str(tmp_path / "none.csv"), "--date", "2025-08-04",
                           "--out", str(out)), out, "--pipeline", "not found")


# ------------------------------------------------------------------------------------------
# compare koppeling variants on a tiny batch
# ------------------------------------------------------------------------------------------

def compare_tiny_batch(tmp_path: Path, *options: str) -> tuple[Path, object]:
    """``compare default labour-first`` on 12 synthetic households: (out folder, CLI result)."""
    day = date(2025, 8, 4)
    households, state = tmp_path / "households.csv", tmp_path / "state.csv"
    generate_households(12, 5, as_of=day).to_csv(households, index=False)
    build_state("2025-H2", day).to_csv(state, index=False)
    out = tmp_path / "cmp"
    return out, invoke("compare", "default", "labour-first", "--households", str(households), "--state", str(state),
                       "--date", "2025-08-04", "--out", str(out), *options)


def test_compare_koppeling_variants_on_a_tiny_batch(tmp_path):
    out, result = compare_tiny_batch(tmp_path)
    assert result.exit_code == 0, result.output
    names = {p.name for p in out.iterdir()}
    assert names == REPORT_FILES | {"comparison.csv", "movers.csv", "default", "labour-first"}
    table = read(out / "comparison.csv").set_index("variant")
    base, other = (read(out / n / "proposal.csv").set_index("household_id") for n in ("default", "labour-first"))
    moved = read(out / "movers.csv")
    differs = (base["status"] != other.loc[base.index, "status"]) | (base["gm_code"] != other.loc[base.index, "gm_code"])
    assert sorted(moved["household_id"]) == sorted(base.index[differs])
    assert int(table.loc["labour-first", "moved"]) == int(differs.sum()) and table.loc["default", "moved"] == "0"
    for name, prop in (("default", base), ("labour-first", other)):
        linked = prop[prop["status"] == "linked"]
        regret = (linked["employment_score_best"].astype(float) - linked["employment_score_here"].astype(float)).mean()
        assert int(table.loc[name, "linked"]) == len(linked)
        assert float(table.loc[name, "mean_labour_regret"]) == pytest.approx(regret, abs=1e-4)
    assert (moved["why"] != "").all()
    fill = read(out / "labour-first" / "gemeenten.csv").set_index("gm_code")
    for _, m in moved[moved["gm_code_base"] != ""].iterrows():  # how full the old gemeente is in the variant
        assert f"{m['gm_code_base']} krijgt in deze variant {int(fill.loc[m['gm_code_base'], 'persons'])} personen" \
            in m["why"]
    ev = tmp_path / "eval"
    assert invoke("evaluate", "--distribution", str(out / "default"), "--out", str(ev)).exit_code == 0
    types = read(ev / "household_types.csv").set_index("household_type")
    decided = base["status"].isin(["linked", "unplaced", "excluded"])
    assert int(types.loc["all households", "households"]) == int(decided.sum())
    evaluated = read(ev / "gemeenten.csv").set_index("gm_code")
    per_gm = read(out / "default" / "gemeenten.csv").set_index("gm_code")
    assert evaluated["actual"].astype(float).equals(per_gm["persons"].astype(float).reindex(evaluated.index))
    record = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert record["kind"] == "koppeling-compare" and [v["name"] for v in record["variants"]] == ["default",
                                                                                                 "labour-first"]


def test_compare_koppeling_variants_in_english(tmp_path):
    """--lang reaches the variants' proposals (reasons) and the movers' words."""
    out, result = compare_tiny_batch(tmp_path, "--lang", "en", "--quiet")
    assert result.exit_code == 0, result.output
    for name in ("default", "labour-first"):  # the variants' proposals in the asked language
        assert read(out / name / "proposal.csv")["reason"].str.match("Linked to |Not linked: |Excluded: |Already linked").all()
    moved = read(out / "movers.csv")
    assert not moved.empty and moved["reason_variant"].str.match("Linked to |Not linked: ").all()
    assert not moved["why"].str.contains("krijgt in deze variant|arbeidsscore|gekoppeld").any()
    assert '<html lang="en">' in (out / "report.html").read_text(encoding="utf-8")


def test_compare_koppeling_bad_input(tmp_path):
    out = tmp_path / "cmp"
    assert_rejected(invoke("compare", "default", "labour-first", "--out", str(out)), out,
                    "--households", "--state")
    assert_rejected(invoke("compare", "default", "labour-first", "--sweep", "deviation", "--out", str(out)), out,
                    "--sweep: value 'deviation': only for reception variants")
    households = tmp_path / "households.csv"
    households.write_text("household_id,persons\nH1,0\n", encoding="utf-8")
    assert_rejected(invoke("compare", "default", "nowhere", "--households", str(households), "--state",
                           str(households), "--out", str(out)), out, "koppeling variant not found",
                    f"{households}, column 'adults'")
