"""Edge cases of a koppeling run: nothing to decide, every household accounted for."""

from __future__ import annotations

from datetime import date

import pandas as pd

from optimizer.propose import ProposeConfig, run_propose
from optimizer.state import build_state
from optimizer.synthetic import generate_households

DAY = date(2025, 8, 4)


def test_batch_with_only_incomplete_dossiers_links_nobody_and_reports_everyone(tmp_path):
    hh = generate_households(5, 1, as_of=DAY)
    hh["has_bsn"] = "false"
    state = build_state("2025-H2", DAY)
    record = run_propose(ProposeConfig(households=hh.astype(str), state=state.astype(str), out=tmp_path / "run",
                                       formats=("csv",)))
    proposal = pd.read_csv(tmp_path / "run" / "proposal.csv", keep_default_na=False)
    assert len(proposal) == len(hh)  # nothing dropped
    assert set(proposal["status"]) <= {"excluded", "context"}
    assert (proposal["status"] == "excluded").sum() == (hh["linked_gm"] == "").sum()
    assert record["households"]["linked"] == 0
    # with nobody linked, the objective is the quota term of every gemeente's full target
    gem = pd.read_csv(tmp_path / "run" / "gemeenten.csv")
    assert (gem["persons"] == 0).all()
    expected = 100.0 * (state["target"] / state["target"].clip(lower=1.0)).sum()  # default quota weight 100
    assert abs(record["objective"] - expected) < 1e-6 * max(expected, 1)


def test_every_size_class_gets_a_fitting_dwelling(tmp_path):
    hh = generate_households(120, 11, as_of=DAY)
    state = build_state("2025-H2", DAY)
    run_propose(ProposeConfig(households=hh.astype(str), state=state.astype(str), out=tmp_path / "run",
                              formats=("csv",)))
    p = pd.read_csv(tmp_path / "run" / "proposal.csv", keep_default_na=False)
    linked = p[p["status"] == "linked"]
    assert len(linked) > 0
    assert (linked["dwelling_class"].astype(int) >= linked["needed_class"].astype(int)).all()
    shared = linked[linked["shared_dwelling"].astype(str) == "True"]
    assert (shared["needed_class"].astype(int) == 1).all() and (shared["dwelling_class"].astype(int) == 2).all()


def test_fairness_tables_add_up(tmp_path):
    hh = generate_households(80, 5, as_of=DAY)
    state = build_state("2025-H2", DAY)
    record = run_propose(ProposeConfig(households=hh.astype(str), state=state.astype(str), out=tmp_path / "run",
                                       formats=("csv",), make_map=False))
    out = tmp_path / "run"
    gem = pd.read_csv(out / "gemeenten.csv")
    prov = pd.read_csv(out / "provinces.csv")
    types = pd.read_csv(out / "household_types.csv")
    proposal = pd.read_csv(out / "proposal.csv", keep_default_na=False)
    assert prov["gemeenten"].sum() == 342
    assert prov["persons"].sum() == gem["persons"].sum()
    assert abs(prov["target"].sum() - gem["target"].sum()) < 1e-9
    assert (prov["gemeenten_on_target"] + prov["gemeenten_under_target"] + prov["gemeenten_over_target"]
            == prov["gemeenten"]).all()
    decided = proposal[proposal["status"] != "context"]
    by_size = types[types["household_type"] != "all households"]
    assert by_size["households"].sum() == len(decided)
    assert types.loc[types["household_type"] == "all households", "households"].item() == len(decided)
    linked_share = (decided["status"] == "linked").mean()
    assert abs(types.loc[types["household_type"] == "all households", "linked_share"].item() - linked_share) < 1e-4
    f = record["fairness"]
    assert f["gemeenten_on_target"] + f["gemeenten_under_target"] + f["gemeenten_over_target"] == 342
    assert 0 <= f["dissimilarity_linked_vs_target"] <= 1
