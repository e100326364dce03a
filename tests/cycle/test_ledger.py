"""The ledger's rules on small hand-made cases: opening a period, accepting proposals (whole, with
edits, twice), housing realised, status, closing and carry-over, the next batch's state; every
kind of bad input exits with code 2 and leaves the file as it was."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from support.cycle import dump, new_ledger, rows, write_proposal
from typer.testing import CliRunner

from optimizer.cli import app
from optimizer.core.errors import InputError
from optimizer.core.periods import Period
from optimizer.cycle.housing import record_housing
from optimizer.cycle.ledger import open_ledger
from optimizer.cycle.periods import close_period, open_period
from optimizer.cycle.proposals import accept_proposal
from optimizer.cycle.status import batch_state, period_status, province_status
from optimizer.rules.state import build_state
from optimizer.rules.taakstelling import build_targets

H1, H2 = Period(2025, 1), Period(2025, 2)
runner = CliRunner()

#: A proposal of 6 January: three links, one unplaced, one incomplete dossier, one context row.
WEEK1 = [("A1", "linked", "GM0014", 3), ("A2", "linked", "GM0034", 1), ("A3", "linked", "GM0363", 5),
         ("A4", "unplaced", "", 2), ("A5", "excluded", "", 1), ("A6", "context", "GM0599", 4)]


def cli(*args: str) -> tuple[int, str]:
    res = runner.invoke(app, ["ledger", *args])
    return res.exit_code, res.output


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    """A ledger with 2025-H1 opened."""
    return new_ledger(tmp_path / "ledger.sqlite")


@pytest.fixture
def week1(tmp_path: Path) -> Path:
    return write_proposal(tmp_path / "week1", WEEK1, date(2025, 1, 6))


def test_open_records_the_taakstelling_used(ledger: Path, tmp_path: Path):
    expected = build_targets(H1)
    assert rows(ledger, "SELECT national, rounding, reference_date, carry_source FROM periods") == [
        (15000, "up", "2024-01-01", "none")]
    stored = dict(rows(ledger, "SELECT gm_code, taakstelling FROM period_targets WHERE period = '2025-H1'"))
    assert stored == expected["taakstelling"].to_dict() and len(stored) == 342
    before = dump(ledger)
    code, out = cli("open", "--ledger", str(ledger), "--period", "2025-H1")  # the same again: nothing changes
    assert code == 0 and "nothing changed" in out and dump(ledger) == before
    code, out = cli("open", "--ledger", str(ledger), "--period", "2025-H1", "--national", "16000")
    assert code == 2 and "opened with other numbers" in out and dump(ledger) == before
    code, out = cli("open", "--ledger", str(ledger), "--period", "2026-H1", "--national", "15000")
    assert code == 2 and "next is 2025-H2" in out and dump(ledger) == before
    fresh = tmp_path / "fresh.sqlite"  # a period that cannot be computed leaves no new ledger file behind
    code, out = cli("open", "--ledger", str(fresh), "--period", "2026-H2")
    assert code == 2 and "--national" in out and not fresh.exists()


def test_first_period_takes_carry_over_and_swaps_from_files(tmp_path: Path):
    realised = tmp_path / "realised.csv"
    realised.write_text("gm_code,period,housed,target\nGM0014,2024-H2,100,130\nGM0034,2024-H2,90,80\n")
    swaps = tmp_path / "swaps.csv"
    swaps.write_text("swap_id,gm_code,delta\nS1,GM0014,-10\nS1,GM0344,10\n")
    path = tmp_path / "l.sqlite"
    code, out = cli("open", "--ledger", str(path), "--period", "2025-H1", "--realised", str(realised),
                    "--swaps", str(swaps), "--rounding", "nearest")
    assert code == 0, out
    got = {g: (s, c) for g, s, c in rows(path, "SELECT gm_code, swaps_delta, carry_in FROM period_targets")}
    assert got["GM0014"] == (-10, 30) and got["GM0034"] == (0, -10) and got["GM0344"] == (10, 0)
    assert rows(path, "SELECT count(*) FROM realised_in")[0][0] == 2
    assert rows(path, "SELECT count(*) FROM swaps")[0][0] == 2


def test_accept_whole_proposal_and_again_changes_nothing(ledger: Path, week1: Path):
    code, out = cli("accept", "--ledger", str(ledger), "--proposal", str(week1))
    assert code == 0, out
    assert rows(ledger, "SELECT household_id, gm_code, persons, linked_on, proposed_gm FROM koppelingen "
                        "ORDER BY household_id") == [("A1", "GM0014", 3, "2025-01-06", "GM0014"),
                                                     ("A2", "GM0034", 1, "2025-01-06", "GM0034"),
                                                     ("A3", "GM0363", 5, "2025-01-06", "GM0363")]
    before = dump(ledger)
    code, out = cli("accept", "--ledger", str(ledger), "--proposal", str(week1))
    assert code == 0 and "nothing changed" in out and "accepting the same proposal again" in out
    assert dump(ledger) == before
    code, out = cli("accept", "--ledger", str(ledger), "--proposal", str(week1), "--date", "2025-01-07")
    assert code == 2 and "dated 2025-01-06" in out and dump(ledger) == before


def test_accept_with_edits(ledger: Path, week1: Path, tmp_path: Path):
    edits = tmp_path / "edits.csv"
    edits.write_text("household_id,gm_code\nA1,GM0344\nA2,\nA4,GM0599\n")  # move, drop, link an unplaced one
    code, out = cli("accept", "--ledger", str(ledger), "--proposal", str(week1), "--edits", str(edits))
    assert code == 0 and "1 edited, 1 added, 1 dropped" in out, out
    assert rows(ledger, "SELECT household_id, gm_code, proposed_gm FROM koppelingen ORDER BY household_id") == [
        ("A1", "GM0344", "GM0014"), ("A3", "GM0363", "GM0363"), ("A4", "GM0599", None)]
    before = dump(ledger)
    assert cli("accept", "--ledger", str(ledger), "--proposal", str(week1), "--edits", str(edits))[0] == 0
    assert dump(ledger) == before
    other = tmp_path / "other.csv"
    other.write_text("household_id,gm_code\nA1,GM0014\n")
    code, out = cli("accept", "--ledger", str(ledger), "--proposal", str(week1), "--edits", str(other))
    assert code == 2 and "with other edits" in out and dump(ledger) == before


def _bad_cases(tmp: Path, ledger: Path, week1: Path) -> dict[str, tuple[list[str], str]]:
    """name -> (command line, text the error must contain); each must leave the ledger unchanged."""
    def table(name: str, text: str) -> str:
        (tmp / name).write_text(text)
        return str(tmp / name)

    no_run = write_proposal(tmp / "no_run", WEEK1, date(2025, 1, 6), note="x")
    (no_run / "run.json").unlink()
    july = write_proposal(tmp / "july", [("B1", "linked", "GM0014", 2)], date(2025, 7, 7))
    again = write_proposal(tmp / "again", [("A1", "linked", "GM0034", 3)], date(2025, 1, 13))
    accept = ["accept", "--ledger", str(ledger), "--proposal"]
    housed = ["housed", "--ledger", str(ledger)]
    return {
        "unknown household in edits": ([*accept, str(week1), "--edits", table("e1.csv", "household_id,gm_code\nZZ,\n")],
                                       "unknown household_id (not in the proposal)"),
        "unknown gemeente in edits": ([*accept, str(week1), "--edits",
                                       table("e2.csv", "household_id,gm_code\nA1,GM9999\n")], "unknown gemeente code"),
        "excluded household edited in": ([*accept, str(week1), "--edits",
                                          table("e3.csv", "household_id,gm_code\nA5,GM0014\n")], "incomplete"),
        "a name column in edits": ([*accept, str(week1), "--edits",
                                    table("e4.csv", "household_id,gm_code,naam\nA1,GM0014,Jan\n")],
                                   "not in the ledger's schema"),
        "proposal without run.json": ([*accept, str(no_run)], "run.json"),
        "date outside the open periods": ([*accept, str(july)], "2025-H2 is not opened"),
        "household linked twice": ([*accept, str(again)], "a household is linked once"),
        "housed: unknown household": ([*housed, "--households", table("h1.csv", "household_id,housed_on\nZZ,2025-02-01\n")],
                                      "not linked in the ledger"),
        "housed before linked": ([*housed, "--households", table("h2.csv", "household_id,housed_on\nA1,2025-01-02\n")],
                                 "housed before the household was linked"),
        "housed outside the open periods": ([*housed, "--households",
                                             table("h3.csv", "household_id,housed_on\nA1,2025-07-02\n")],
                                            "2025-H2 is not opened"),
        "count for an unopened period": ([*housed, "--gemeenten", table("g1.csv", "gm_code,period,housed\nGM0014,2025-H2,3\n")],
                                         "2025-H2 is not opened"),
        "count dated outside its period": ([*housed, "--gemeenten",
                                            table("g2.csv", "gm_code,period,housed,as_of\nGM0014,2025-H1,3,2025-07-01\n")],
                                           "as_of must lie in the period"),
        "state for an unopened period": (["state", "--ledger", str(ledger), "--date", "2025-07-07", "--out",
                                          str(tmp / "s.csv")], "2025-H2 is not opened"),
        "no ledger file": (["status", "--ledger", str(tmp / "none.sqlite"), "--date", "2025-02-01"], "no ledger"),
    }


def test_bad_input_exits_2_and_leaves_the_ledger_unchanged(ledger: Path, week1: Path, tmp_path: Path):
    assert cli("accept", "--ledger", str(ledger), "--proposal", str(week1))[0] == 0
    before = dump(ledger)
    for name, (args, text) in _bad_cases(tmp_path, ledger, week1).items():
        code, out = cli(*args)
        assert code == 2, (name, out)
        assert text in out, (name, out)
        assert "Traceback" not in out
        assert dump(ledger) == before, name
    # a closed period takes no more changes
    assert cli("close", "--ledger", str(ledger), "--period", "2025-H1")[0] == 0
    closed = dump(ledger)
    later = write_proposal(tmp_path / "later", [("C1", "linked", "GM0014", 2)], date(2025, 3, 3))
    code, out = cli("accept", "--ledger", str(ledger), "--proposal", str(later))
    assert code == 2 and "2025-H1 is closed" in out and dump(ledger) == closed


def test_housing_status_and_reports(ledger: Path, week1: Path, tmp_path: Path):
    with open_ledger(ledger) as book:
        accept_proposal(book, week1)
        change = record_housing(book, households=pd.DataFrame({"household_id": ["A1", "A3"],
                                                               "housed_on": ["2025-03-03", "2025-05-05"]}))
        assert change.summary["households"] == 2
        # Almere reports 4 persons housed by 31 March (more than COA recorded: 0)
        record_housing(book, gemeenten=pd.DataFrame({"gm_code": ["GM0034", "GM0363"], "period": ["2025-H1"] * 2,
                                                     "housed": [4, 2], "as_of": ["2025-03-31", "2025-03-31"]}))
        again = record_housing(book, households=pd.DataFrame({"household_id": ["A1"], "housed_on": ["2025-03-03"]}))
        assert again.unchanged
        march = period_status(book, H1, date(2025, 3, 15))
        june = period_status(book, H1, date(2025, 6, 30))
    target = build_targets(H1)["taakstelling"]
    assert march.loc["GM0014", ["linked", "housed", "target"]].tolist() == [3, 3, target["GM0014"]]
    assert march.loc["GM0034", "housed"] == 0 and march.loc["GM0034", "housed_source"] == "households"
    # on 30 June: Almere's count; Amsterdam's count of 31 March plus A3 (5 persons) housed after it
    assert june.loc["GM0034", ["housed", "housed_source"]].tolist() == [4, "report"]
    assert june.loc["GM0363", "housed"] == 2 + 5
    assert (june["achterstand"] == june["target"] - june["housed"]).all()
    frac = (date(2025, 3, 15) - H1.start).days / (H1.koppel_deadline - H1.start).days
    assert march.loc["GM0014", "pace_target"] == math.ceil(target["GM0014"] * frac - 1e-9)
    assert march.loc["GM0014", "behind_pace"] == march.loc["GM0014", "pace_target"] - 3
    prov = province_status(june)
    assert prov["housed"].sum() == june["housed"].sum() and prov["gemeenten"].sum() == 342


def test_close_carries_over_and_fills_a_period_opened_ahead(ledger: Path, week1: Path, tmp_path: Path):
    with open_ledger(ledger) as book:
        accept_proposal(book, week1)
        record_housing(book, households=pd.DataFrame({"household_id": ["A1"], "housed_on": ["2025-02-03"]}))
        open_period(book, H2)  # planning ahead: carry-over pending
        assert book.period(H2).carry_source == "pending"
        change, carry = close_period(book, H1)
        again, _ = close_period(book, H1)
        h2 = period_status(book, H2, date(2025, 7, 7))
    assert change.summary["next_period_filled"] and again.unchanged
    target = build_targets(H1)["taakstelling"]
    assert carry.loc["GM0014", "carry_out"] == target["GM0014"] - 3
    assert carry.loc["GM0034", "carry_out"] == target["GM0034"]
    assert (carry["carry_out"] == carry["target"] - carry["housed"]).all()
    assert h2["carry_in"].equals(carry["carry_out"].rename("carry_in"))
    assert h2["carry_source"].iloc[0] == "ledger"
    # A2 (1 person, Almere) and A3 (5, Amsterdam) were linked in H1 and not housed by 1 July
    assert h2.loc["GM0034", "pipeline_in"] == 1 and h2.loc["GM0363", "pipeline_in"] == 5
    assert h2.loc["GM0014", "pipeline_in"] == 0


def test_batch_state_is_the_statutory_state_with_the_ledgers_links(ledger: Path, week1: Path):
    day = date(2025, 1, 13)
    with open_ledger(ledger) as book:
        accept_proposal(book, week1)
        state = batch_state(book, day)
    linked = pd.Series({"GM0014": 3, "GM0034": 1, "GM0363": 5})
    expected = build_state(H1, day, linked=linked)
    pd.testing.assert_frame_equal(state, expected)
    assert state.set_index("gm_code").loc["GM0014", "linked"] == 3 and state.attrs["target_rule"] == "pace"
    with open_ledger(ledger) as book:  # after the koppel deadline: all still missing (catch-up)
        late = batch_state(book, date(2025, 4, 14)).set_index("gm_code")
    assert late.attrs["target_rule"] == "catch-up"
    t = build_targets(H1)["taakstelling"]
    assert late.loc["GM0014", "target"] == t["GM0014"] - 3 and late.loc["GM0344", "target"] == t["GM0344"]


def test_a_2027_period_with_the_population_year_fallback(tmp_path: Path):
    path = tmp_path / "l.sqlite"
    code, out = cli("open", "--ledger", str(path), "--period", "2027-H1", "--national", "15000",
                    "--population-year", "2025")
    assert code == 0 and "population of 2025-01-01" in out, out
    assert rows(path, "SELECT reference_date, population_year FROM periods") == [("2025-01-01", 2025)]
    code, out = cli("state", "--ledger", str(path), "--date", "2027-01-04", "--out", str(tmp_path / "s.csv"))
    assert code == 0, out
    expected = build_state("2027-H1", date(2027, 1, 4), national=15000, population_year=2025,
                           linked=pd.Series(dtype="int64"))
    state = pd.read_csv(tmp_path / "s.csv")
    assert state["target"].tolist() == expected["target"].tolist() and (state["target_rule"] == "pace").all()


def test_status_and_state_files_from_the_command_line(ledger: Path, week1: Path, tmp_path: Path):
    assert cli("accept", "--ledger", str(ledger), "--proposal", str(week1))[0] == 0
    code, out = cli("status", "--ledger", str(ledger), "--date", "2025-02-01", "--out", str(tmp_path / "s.xlsx"))
    assert code == 0 and "Groningen" in out, out
    gem = pd.read_excel(tmp_path / "s.xlsx")
    assert len(gem) == 342 and gem["linked"].sum() == 9
    code, out = cli("status", "--ledger", str(ledger), "--period", "2025-H1", "--by", "provincie",
                    "--out", str(tmp_path / "p.csv"))
    prov = pd.read_csv(tmp_path / "p.csv")
    assert code == 0 and len(prov) == 12 and prov["linked"].sum() == 9 and (prov["date"] == "2025-06-30").all()
    code, out = cli("state", "--ledger", str(ledger), "--date", "2025-01-13", "--out", str(tmp_path / "state.csv"))
    assert code == 0, out
    state = pd.read_csv(tmp_path / "state.csv")
    assert state["linked"].sum() == 9 and len(state) == 342 and (state["target_rule"] == "pace").all()
    code, out = cli("state", "--ledger", str(ledger), "--date", "2025-01-13", "--whole-period", "--out",
                    str(tmp_path / "whole.csv"))
    whole = pd.read_csv(tmp_path / "whole.csv")
    assert code == 0 and (whole["target_rule"] == "whole-period").all()
    assert whole["target"].sum() == build_targets(H1)["taakstelling"].sum() - 9


def test_api_errors_are_input_errors(ledger: Path, week1: Path):
    with open_ledger(ledger) as book, pytest.raises(InputError, match="no as_of"):
        accept_proposal(book, write_proposal(week1.parent / "undated", WEEK1, None))
