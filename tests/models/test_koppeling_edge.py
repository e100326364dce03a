"""Edge cases of a koppeling run: nothing to decide, every household accounted for."""

from __future__ import annotations

from datetime import date

import pandas as pd

from optimizer.data.synthetic import generate_households
from optimizer.koppeling.run import ProposeConfig, run_propose
from optimizer.rules.state import build_state

DAY = date(2025, 8, 4)


def test_batch_with_only_incomplete_dossiers_links_nobody_and_reports_everyone(tmp_path):
    hh = generate_households(5, 1, as_of=DAY)
    hh["has_bsn"] = "false"
    state = build_state("2025-H2", DAY)
    record = run_propose(ProposeConfig(households=hh, state=state, out=tmp_path / "run",
                                       formats=("csv",)))
    proposal = pd.read_csv(tmp_path / "run" / "proposal.csv", keep_default_na=False)
    assert len(proposal) == len(hh)  # nothing dropped
    assert set(proposal["status"]) <= {"excluded", "context"}
    assert (proposal["status"] == "excluded").sum() == (hh["linked_gm"] == "").sum()
    assert record["households"]["linked"] == 0
    # with nobody linked, the objective is the quota term of every gemeente's full target: the
    # default convex form, weight 10 per person x the slope of its band (1, 2, 4, 8, 16 beyond
    # 0, 10, 25, 50, 75 % of max(target, 1)); a whole shortfall T of sigma = T costs
    # T (0.1 + 0.15 x 2 + 0.25 x 4 + 0.25 x 8 + 0.25 x 16) = 7.4 T
    gem = pd.read_csv(tmp_path / "run" / "gemeenten.csv")
    assert (gem["persons"] == 0).all()
    assert ((state["target"] == 0) | (state["target"] >= 1)).all()  # so sigma = target wherever it counts
    expected = 10.0 * 7.4 * state["target"].clip(lower=0).sum()
    assert abs(record["objective"] - expected) < 1e-6 * max(expected, 1)


def test_every_size_class_gets_a_fitting_dwelling(tmp_path):
    hh = generate_households(120, 11, as_of=DAY)
    state = build_state("2025-H2", DAY)
    run_propose(ProposeConfig(households=hh, state=state, out=tmp_path / "run",
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
    record = run_propose(ProposeConfig(households=hh, state=state, out=tmp_path / "run",
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
    # what a province reads first: fairness.csv lists every gemeente > 15 % off (or at zero) with a reason
    far = pd.read_csv(out / "fairness.csv", keep_default_na=False)
    rel = (gem["persons"] - gem["target"]) / gem["target"].clip(lower=1.0)
    expected = set(gem.loc[(rel.abs() > 0.15) | ((gem["persons"] == 0) & (gem["target"] > 0)), "gm_code"])
    assert set(far["gm_code"]) == expected
    assert (far["reason"] != "").all() and set(far["side"]) <= {"over", "under", "zero"}
    assert f["far_over"] == (far["side"] == "over").sum()
    assert f["far_under_or_zero"] == (far["side"] != "over").sum()
    assert f["gemeenten_at_zero"] == ((gem["persons"] == 0) & (gem["target"] > 0)).sum()
    within = (rel[gem["target"] > 0].abs() <= 0.10).mean()
    assert abs(f["share_within_10pct"] - within) < 1e-4
    over, under = f["largest_over"], f["largest_under"]
    assert (over is None) if rel.max() <= 0 else over["relative_deviation"] == round(rel.max(), 6)
    assert (under is None) if rel.min() >= 0 else under["relative_deviation"] == round(rel.min(), 6)


def _batch(n=40, seed=3):
    hh = generate_households(n, seed, as_of=DAY)
    return hh, build_state("2025-H2", DAY)


def _first_pair(hh: pd.DataFrame) -> tuple[str, str]:
    nar = hh[hh["referent_id"] != ""].iloc[0]
    return nar["household_id"], nar["referent_id"]


def test_waiting_referent_joins_its_already_linked_nareiziger(tmp_path):
    hh, state = _batch(60, 3)
    nar, ref = _first_pair(hh)
    hh.loc[hh["household_id"] == nar, "linked_gm"] = "GM0014"
    hh.loc[hh["household_id"] == ref, "linked_gm"] = ""
    hh.loc[hh["household_id"] == ref, ["has_bsn", "has_iban"]] = "true"
    run_propose(ProposeConfig(households=hh, state=state, out=tmp_path / "run",
                              formats=("csv",), make_map=False))
    p = pd.read_csv(tmp_path / "run" / "proposal.csv", keep_default_na=False).set_index("household_id")
    assert p.loc[nar, "status"] == "context"
    assert p.loc[ref, "gm_code"] == "GM0014" or p.loc[ref, "status"] == "unplaced"


def test_locks_on_context_or_incomplete_households_are_rejected():
    import pytest

    from optimizer.core.errors import InputError
    from optimizer.data import schemas

    hh, _ = _batch(40, 3)
    hh.loc[hh.index[0], "has_iban"] = "false"
    households = schemas.validate_households(hh, "hh")
    ctx_id = households.index[households["linked_gm"] != ""][0]
    incomplete = households.index[0]
    locks = pd.DataFrame({"household_id": [incomplete, ctx_id], "gm_code": ["GM0014", "GM0014"],
                          "action": ["fix", "fix"]})
    with pytest.raises(InputError) as err:
        schemas.load_locks(locks, households, "locks.csv")
    rules = [v.rule for v in err.value.violations]
    assert any("incomplete dossier" in r for r in rules) and any("already linked" in r for r in rules)


def test_tiny_time_limit_still_returns_a_feasible_proposal(tmp_path):
    hh, state = _batch(40, 3)
    record = run_propose(ProposeConfig(households=hh, state=state, out=tmp_path / "run",
                                       formats=("csv",), make_map=False, time_limit=0.001))
    assert record["status"] in ("feasible", "optimal")
    assert record["bound"] is None or record["bound"] <= record["objective"] + 1e-6
    # the solver's numbers as HiGHS gave them; the tables' objective is never worse
    assert record["objective_from_tables"] <= record["objective"] + 1e-6 * max(1.0, record["objective"])
    if record["status"] == "feasible":  # no time was left for HiGHS: the heuristic's proposal is the answer
        assert record["solver"]["limit"] == "time_limit" and record["solver"]["solver_status"] == "heuristic"
    assert record["households"]["linked"] >= record["solver"]["start"]["linked"] > 0
    assert len(pd.read_csv(tmp_path / "run" / "proposal.csv")) == len(hh)
    t = record["timings_seconds"]
    assert t["total"] >= t["read_validate"] + t["inputs"] + t["build"] + t["write"]  # the whole command, writing included


def test_excel_date_cells_are_accepted(tmp_path):
    from optimizer.data import schemas
    hh, _ = _batch(10, 2)
    typed = hh.copy()
    typed["permit_date"] = pd.to_datetime(typed["permit_date"])
    typed.to_excel(tmp_path / "hh.xlsx", index=False)
    out = schemas.load_households(tmp_path / "hh.xlsx")
    assert [d.isoformat() for d in out["permit_date"]] == list(hh["permit_date"])


def test_cli_rejects_nonpositive_time_limit_and_bad_gap(tmp_path):
    from typer.testing import CliRunner

    from optimizer.cli import app

    hh, _ = _batch(10, 2)
    hh.to_csv(tmp_path / "hh.csv", index=False)
    for args in (["--time-limit", "0"], ["--gap", "-0.1"], ["--gap", "1.5"]):
        res = CliRunner().invoke(app, ["propose", "--households", str(tmp_path / "hh.csv"), "--period", "2025-H2",
                                       "--date", "2025-08-04", "--out", str(tmp_path / "o"), *args])
        assert res.exit_code == 2
        assert not (tmp_path / "o").exists()


def test_locks_that_would_split_a_family_are_rejected():
    import pytest

    from optimizer.core.errors import InputError
    from optimizer.data import schemas

    hh, _ = _batch(60, 3)
    nar, ref = _first_pair(hh)
    households = schemas.validate_households(hh, "hh")
    ref_gm = households.at[ref, "linked_gm"]
    assert ref_gm  # the generator links referents earlier
    other = "GM0014" if ref_gm != "GM0014" else "GM0034"
    # nareiziger fixed away from its referent / forbidden from the referent's gemeente
    for gm, action in ((other, "fix"), (ref_gm, "forbid")):
        locks = pd.DataFrame({"household_id": [nar], "gm_code": [gm], "action": [action]})
        with pytest.raises(InputError) as err:
            schemas.load_locks(locks, households, "locks.csv")
        assert "separate the family" in err.value.violations[0].rule
    # a lock keeping the family together is fine
    ok = pd.DataFrame({"household_id": [nar], "gm_code": [ref_gm], "action": ["fix"]})
    assert len(schemas.load_locks(ok, households, "locks.csv")) == 1
    # the other direction: a waiting referent whose nareiziger was linked earlier
    hh2 = hh.copy()
    hh2.loc[hh2["household_id"] == nar, "linked_gm"] = "GM0014"
    hh2.loc[hh2["household_id"] == ref, ["linked_gm", "has_bsn", "has_iban"]] = ["", "true", "true"]
    households2 = schemas.validate_households(hh2, "hh")
    assert schemas.linked_family_gemeenten(households2)[ref] == {"GM0014"}
    locks = pd.DataFrame({"household_id": [ref], "gm_code": ["GM0034"], "action": ["fix"]})
    with pytest.raises(InputError) as err:
        schemas.load_locks(locks, households2, "locks.csv")
    assert "separate the family" in err.value.violations[0].rule
