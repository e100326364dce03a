"""A half-year played as a planner would (issue 9, "Done when"): 26 weekly batches of 10-14
synthetic households through ``spreiding ledger state`` -> the propose stage (``run_propose``
reading that state file) -> ``spreiding ledger accept`` (some accepted with edits), households
housed 10 to 14 weeks after their koppeling while still inside the period, one gemeente's count
reported, the period closed. The ledger's status on the period's last day must equal a recount
made here with pandas from the accepted proposals' files, the edits and the housing records, and
the carry-over into 2025-H2 must follow the rule (achterstand = taakstelling + carried in -
housed), down to the first batch state of 2025-H2.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import typer

from optimizer.cli import app
from optimizer.data import dataset
from optimizer.data.synthetic import generate_households
from optimizer.koppeling.run import ProposeConfig, run_propose

START, END = date(2025, 1, 6), date(2025, 6, 30)
WEEKS = 26
COMMAND = typer.main.get_command(app)


def run(*args: object) -> None:
    """``spreiding ARGS`` through the command line (the click command built once: the run is long)."""
    assert COMMAND.main(args=[str(a) for a in args], prog_name="spreiding", standalone_mode=False) in (None, 0)


def read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype={"gm_code": str}, keep_default_na=False)


def statutory(national: int) -> pd.Series:
    """ceil(national * iG / iN) per gemeente, population of 1 January 2024 (exact integers)."""
    pop = dataset.load_population(date(2024, 1, 1)).astype("int64")
    total = int(pop.sum())
    return pd.Series({g: -(-national * int(p) // total) for g, p in pop.items()})


def weekly_households(week: int, day: date) -> pd.DataFrame:
    """10-14 synthetic households with ids unique over the half-year (a household is linked once);
    small batches keep the 26 proposals quick (their cost is mostly the fixed cost of a run)."""
    hh = generate_households(10 + 2 * (week % 3), 100 + week, as_of=day)
    prefix = f"W{week:02d}-"
    hh["household_id"] = prefix + hh["household_id"]
    hh["referent_id"] = hh["referent_id"].where(hh["referent_id"] == "", prefix + hh["referent_id"])
    return hh


def edits_for(proposal: pd.DataFrame) -> pd.DataFrame:
    """A planner's edits: drop the first link, move the second to Utrecht (or Amsterdam)."""
    linked = proposal[proposal["status"] == "linked"]
    moved = "GM0363" if linked["gm_code"].iloc[1] == "GM0344" else "GM0344"
    return pd.DataFrame({"household_id": linked["household_id"].iloc[:2].tolist(), "gm_code": ["", moved]})


def test_a_half_year_through_the_ledger(tmp_path: Path):
    book = tmp_path / "ledger.sqlite"
    run("ledger", "open", "--ledger", book, "--period", "2025-H1", "-q")
    accepted = []  # per week: the links as the files say (proposal.csv with the edits applied)
    housed_records = []  # every housing record given to the ledger
    report = None
    for week in range(WEEKS):
        day = START + timedelta(days=7 * week)
        w = tmp_path / f"week{week:02d}"
        w.mkdir()
        # housing realised this week: households linked 10-14 weeks ago
        links = pd.concat(accepted) if accepted else pd.DataFrame(columns=["household_id", "housed_on"])
        due = links[(links["housed_on"] <= day) & ~links["household_id"].isin(
            [h for r in housed_records for h in r["household_id"]])]
        if len(due):
            due[["household_id", "housed_on"]].to_csv(w / "housed.csv", index=False)
            run("ledger", "housed", "--ledger", book, "--households", w / "housed.csv", "-q")
            housed_records.append(due[["household_id", "housed_on"]])
        if week == 17:  # a gemeente reports its count up to 30 April (2 persons more than COA recorded)
            done = pd.concat(housed_records).merge(links[["household_id", "gm_code", "persons"]], on="household_id")
            done = done[done["housed_on"] <= date(2025, 4, 30)]
            gm = done.groupby("gm_code")["persons"].sum().idxmax()
            report = (gm, int(done.loc[done["gm_code"] == gm, "persons"].sum()) + 2, date(2025, 4, 30))
            pd.DataFrame([{"gm_code": gm, "period": "2025-H1", "housed": report[1], "as_of": "2025-04-30"}]).to_csv(
                w / "counts.csv", index=False)
            run("ledger", "housed", "--ledger", book, "--gemeenten", w / "counts.csv", "-q")
        # ledger -> state -> propose -> accept
        run("ledger", "state", "--ledger", book, "--date", day, "--out", w / "state.csv", "-q")
        state = read(w / "state.csv").set_index("gm_code")
        so_far = links.groupby("gm_code")["persons"].sum() if len(links) else pd.Series(dtype="int64")
        assert state["linked"].astype(int).equals(so_far.reindex(state.index, fill_value=0).astype(int))
        run_propose(ProposeConfig(households=weekly_households(week, day), state=w / "state.csv", out=w / "proposal",
                                  as_of=day, strategy="rens", time_limit=10, formats=("csv",), make_map=False,
                                  report=False))
        proposal = read(w / "proposal" / "proposal.csv")
        args = ["ledger", "accept", "--ledger", book, "--proposal", w / "proposal", "-q"]
        if week % 5 == 2:
            edits = edits_for(proposal)
            edits.to_csv(w / "edits.csv", index=False)
            args += ["--edits", w / "edits.csv"]
        else:
            edits = pd.DataFrame(columns=["household_id", "gm_code"])
        run(*args)
        # the recount's own view of what was accepted: proposal.csv and the edits, read with pandas
        links = proposal.loc[proposal["status"] == "linked", ["household_id", "gm_code", "persons"]]
        links = links.set_index("household_id")
        links.loc[edits["household_id"], "gm_code"] = edits["gm_code"].to_numpy()
        links = links[links["gm_code"] != ""].reset_index()
        links["persons"] = links["persons"].astype(int)
        links["housed_on"] = [day + timedelta(days=70 + (week * 7 + i) % 29) for i in range(len(links))]
        accepted.append(links)
    # the last records of the half-year, then the status on its last day and the close
    links = pd.concat(accepted, ignore_index=True)
    recorded = set(pd.concat(housed_records)["household_id"])
    last = links[(links["housed_on"] <= END) & ~links["household_id"].isin(recorded)]
    if len(last):
        last[["household_id", "housed_on"]].to_csv(tmp_path / "housed_last.csv", index=False)
        run("ledger", "housed", "--ledger", book, "--households", tmp_path / "housed_last.csv", "-q")
        housed_records.append(last[["household_id", "housed_on"]])
    run("ledger", "status", "--ledger", book, "--period", "2025-H1", "--out", tmp_path / "status.csv", "-q")
    run("ledger", "close", "--ledger", book, "--period", "2025-H1", "--out", tmp_path / "carry.csv", "-q")

    # the independent recount
    assert links["household_id"].is_unique and len(accepted) == WEEKS
    housed = pd.concat(housed_records).merge(links[["household_id", "gm_code", "persons"]], on="household_id")
    assert (housed["housed_on"] <= END).all() and len(housed) == (links["housed_on"] <= END).sum()
    recount = pd.DataFrame({"target": statutory(15000)})
    recount["linked"] = links.groupby("gm_code")["persons"].sum()
    recount["linked_households"] = links.groupby("gm_code").size()
    recount["housed"] = housed.groupby("gm_code")["persons"].sum()
    gm, count, as_of = report
    recount.loc[gm, "housed"] = count + housed.loc[(housed["gm_code"] == gm) & (housed["housed_on"] > as_of),
                                                   "persons"].sum()
    recount = recount.fillna(0).astype("int64")
    recount["achterstand"] = recount["target"] - recount["housed"]
    recount.index.name = "gm_code"

    status = read(tmp_path / "status.csv").set_index("gm_code")
    cols = ["target", "linked", "linked_households", "housed", "achterstand"]
    pd.testing.assert_frame_equal(status[cols].astype("int64"), recount[cols], check_names=False)
    assert (status["voldoet"] == (recount["housed"] >= recount["target"])).all()
    assert status.loc[gm, "housed_source"] == "report"
    assert recount["linked"].sum() > 0 and recount["housed"].sum() > 0
    assert 0 < recount["housed"].sum() < recount["linked"].sum()  # some linked late in June are not housed yet
    carry = read(tmp_path / "carry.csv").set_index("gm_code")
    assert carry["carry_out"].astype(int).equals(recount["target"] - recount["housed"])  # the close rule

    # into 2025-H2: taakstelling + carry-over; households linked in H1 and not housed by 1 July count as linked
    run("ledger", "open", "--ledger", book, "--period", "2025-H2", "-q")
    day = date(2025, 7, 7)
    run("ledger", "state", "--ledger", book, "--date", day, "--out", tmp_path / "h2_state.csv", "-q")
    state = read(tmp_path / "h2_state.csv").set_index("gm_code")
    waiting = links[links["housed_on"] > END].groupby("gm_code")["persons"].sum().reindex(state.index, fill_value=0)
    total = statutory(13000).reindex(state.index) + carry["carry_out"].astype(int).reindex(state.index)
    frac = (day - date(2025, 7, 1)).days / (date(2025, 10, 1) - date(2025, 7, 1)).days
    expected = [max(0, math.ceil(max(0, t) * frac - 1e-9) - int(w)) for t, w in zip(total, waiting)]
    assert state["linked"].astype(int).tolist() == waiting.tolist()
    assert state["target"].astype(float).tolist() == [float(x) for x in expected]
