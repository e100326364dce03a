"""Reception model: hand-computed optima, every constraint re-checked from the output tables
(independently of the model code), payments re-checked with bonus_malus, budget-neutral
balance to the euro, verevening keeps the national taakstelling."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from support.reception import gemeenten_frame as gemeenten

from optimizer.core.errors import InputError
from optimizer.core.tables import read_table
from optimizer.reception import run as reception
from optimizer.reception.variant import load_variant, parse_variant
from optimizer.rules import bonus_malus

ZERO_COST_SITE = {"name": "any", "min_size": 1, "max_size": 1000, "max_sites": 1, "durable": False}


def variant(**sections):
    data = {"kind": "reception", "name": "test", "total_places": 100, "sites": [ZERO_COST_SITE],
            "objective": {"deviation": 1.0, "site_cost": 0.0, "financing": 0.0}}
    data.update(sections)
    return parse_variant(data, "test.toml")


def solve(v, gem, existing=None, **data):
    existing = existing if existing is not None else pd.Series(0, index=gem.index)
    return reception.solve_variant(v, gemeenten=gem, existing=existing, **data)


def places(res) -> list[int]:
    return res.places["places"].tolist()


def penalty(u: float, share: float) -> float:
    """Hand version of the default deviation penalty s f(u/s): slopes 1, 2, 4, 8, 16 per place
    beyond 0, 10, 25, 50, 75 % of the share."""
    r = u / share
    f = (r if r <= 0.1 else 0.1 + 2 * (r - 0.1) if r <= 0.25 else 0.4 + 4 * (r - 0.25) if r <= 0.5
         else 1.4 + 8 * (r - 0.5) if r <= 0.75 else 3.4 + 16 * (r - 0.75))
    return share * f


# ------------------------------------------------------------------------------------------
# Independent re-check of every constraint from the written tables
# ------------------------------------------------------------------------------------------

def num(df: pd.DataFrame, col: str) -> pd.Series:
    return pd.to_numeric(df[col].replace("", np.nan))


def check_tables(out: Path, v) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Re-check a written solution from places.csv / provinces.csv only (plus the variant)."""
    p = read_table(out / "places.csv").set_index("gm_code")
    prov = read_table(out / "provinces.csv").set_index("provincie_code")
    pl, ex, fair = num(p, "places"), num(p, "existing"), num(p, "fair_share")
    new_total = sum(num(p, f"new_{s.name}") for s in v.sites)
    assert (pl == ex + new_total).all()
    assert (num(p, "new_total") == new_total).all()
    pop = num(p, "population")
    for s in v.sites:
        new, sites = num(p, f"new_{s.name}"), num(p, f"sites_{s.name}")
        assert (new >= s.min_size * sites).all() and (new <= s.max_size * sites).all(), s.name
        assert (sites <= s.max_sites).all() and (sites >= 0).all()
        assert (sites[pop < s.min_population] == 0).all()
    # provinces: met exactly; the target is the total, or the existing places if larger
    by_prov = pl.groupby(p["provincie_code"]).sum()
    total, existing_p = num(prov, "province_total"), num(prov, "existing")
    assert (by_prov.reindex(prov.index) == np.maximum(total, existing_p)).all()
    assert (num(prov, "places") == by_prov.reindex(prov.index)).all()
    assert (fair.groupby(p["provincie_code"]).sum().reindex(prov.index) == total).all()
    if v.provinces.totals == "key":
        assert int(total.sum()) == v.total_places
    # per-gemeente limits
    excluded = p["excluded"] == "True"
    assert (new_total[excluded] == 0).all()
    designated = p["designated"] == "True"
    assert (pl[designated] >= fair[designated]).all()
    if v.gemeenten.max_places_per_1000 is not None:
        cap = np.floor(v.gemeenten.max_places_per_1000 * pop / 1000 + 1e-9)
        assert (pl <= np.maximum(cap, ex)).all()
    assert (num(p, "deviation") == pl - fair).all()
    # payments: re-computed from the places and shares with bonus_malus
    rule = v.rule()
    if rule is not None:
        cats = pd.DataFrame({"durable": 0.0, "temporary": 0.0, "none": 0.0}, index=p.index)
        cats[v.financing.existing_category] += ex
        for s in v.sites:
            cats["durable" if s.durable else "temporary"] += num(p, f"new_{s.name}")
        table = bonus_malus.payments(cats, fair, pop, rule)
        assert (table["payment_eur"] == num(p, "payment_eur")).all()
        assert (table["malus_eur"] == num(p, "malus_eur")).all()
        if v.objective.financing > 0:  # the model's own financing term agrees with the rule
            assert (num(p, "payment_model_eur") - num(p, "payment_eur")).abs().max() <= 1.0
        if rule.budget_neutral and table["surplus"].sum() > 0:
            assert int(num(p, "payment_eur").sum()) == 0
    else:
        assert (num(p, "payment_eur") == 0).all()
    return p, prov


def write(res, tmp_path: Path) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    reception.write(res, tmp_path)
    return tmp_path


# ------------------------------------------------------------------------------------------
# Hand-computed optima
# ------------------------------------------------------------------------------------------

def test_free_sites_meet_shares_exactly(tmp_path):
    v = variant()
    res = solve(v, gemeenten([100, 200, 700]))
    assert res.places["fair_share"].tolist() == [10, 20, 70]
    assert places(res) == [10, 20, 70]
    assert res.terms["deviation"] == pytest.approx(0.0)
    check_tables(write(res, tmp_path), v)


def test_penalty_helper_matches_the_band_definition():
    assert penalty(10, 10) == pytest.approx(74.0)  # a whole share missed: 10 * (0.1 + 0.3 + 1 + 2 + 4)
    assert penalty(5, 10) == pytest.approx(14.0)
    assert penalty(2, 20) == pytest.approx(2.0)


def test_lumpy_sites_spread_the_gap_within_the_first_band(tmp_path):
    # shares 10, 20, 70; sites hold 15..100 places. G1: 0 places (10 short, penalty 74) or one
    # site of 15 (5 above, 14) plus 5 places short elsewhere, all within the first band (G2 may
    # miss 2, G3 7 at slope 1): 14 + 5 = 19. Optimum value 19, G1 = 15 (G2/G3 split is a tie).
    v = variant(sites=[{"name": "s", "min_size": 15, "max_size": 100, "max_sites": 1}])
    res = solve(v, gemeenten([100, 200, 700]))
    p = places(res)
    assert p[0] == 15 and sum(p) == 100 and p[1] >= 18 and p[2] >= 63
    assert res.terms["deviation"] == pytest.approx(19.0)
    check_tables(write(res, tmp_path), v)


def test_shortfalls_are_spread_in_proportion_to_the_shares():
    # one province, 200 places; G1 already hosts 100 of its share 50: the other three (shares
    # 50 each) must share 50 places less. A linear penalty would leave one of them empty; the
    # convex one gives each about a third short.
    gem = gemeenten([1000, 1000, 1000, 1000])
    existing = pd.Series([100, 0, 0, 0], index=gem.index)
    res = solve(variant(total_places=200), gem, existing)
    assert places(res)[0] == 100 and sum(places(res)) == 200
    short = [50 - x for x in places(res)[1:]]
    # 50 short over three shares of 50: the first two bands hold 12.5 each, so the optimum puts
    # every gemeente in the third band (slope 4): 3 * 20 + 4 * (50 - 37.5) = 110; with integers
    # each misses 13..24 places (within the band the split is a tie). Nobody is left empty.
    assert min(short) >= 13 and max(short) <= 24
    assert res.terms["deviation"] == pytest.approx(110.0)
    assert res.terms["deviation"] == pytest.approx(sum(penalty(u, 50) for u in short))


def test_provinces_excluded_max_and_existing(tmp_path):
    # P20: G1 1000 (excluded), G2 1000, G3 2000 inhabitants; P21: G4, G5 3000 each. 100 places
    # by population: P20 40, P21 60; shares 10, 10, 20, 30, 30. G4 already hosts 40.
    # P20: G1 0 (forced, not penalised); 40 over G2 (<= 13 at 13.5 per 1,000) and G3 (<= 27):
    # both at their maximum, (13, 27), penalty p(3 of 10) + p(7 of 20) = 6 + 16.
    # P21: existing 40 at G4 leaves G5 exactly 20 (both forced).
    v = variant(gemeenten={"excluded": ["GM0001"], "max_places_per_1000": 13.5})
    gem = gemeenten([1000, 1000, 2000, 3000, 3000], ["PV20", "PV20", "PV20", "PV21", "PV21"])
    existing = pd.Series([0, 0, 0, 40, 0], index=gem.index)
    res = solve(v, gem, existing)
    assert res.places["fair_share"].tolist() == [10, 10, 20, 30, 30]
    assert places(res) == [0, 13, 27, 40, 20]
    assert res.terms["deviation"] == pytest.approx(penalty(3, 10) + penalty(7, 20)) == pytest.approx(22.0)
    check_tables(write(res, tmp_path), v)


def test_existing_above_the_provincial_total_is_kept(tmp_path):
    v = variant()
    gem = gemeenten([1000, 1000, 2000, 3000, 3000], ["PV20", "PV20", "PV20", "PV21", "PV21"])
    existing = pd.Series([0, 0, 0, 70, 0], index=gem.index)
    res = solve(v, gem, existing)
    assert places(res) == [10, 10, 20, 70, 0]  # P21 already holds 70 > 60: nothing new there
    _, prov = check_tables(write(res, tmp_path), v)
    assert prov.loc["PV21", "target"] == "70"


def test_designated_gemeente_reaches_its_share(tmp_path):
    # a site costs EUR 1 million a year; G1 (share 10) would rather have none: its 10 places
    # short (penalty 74 x 0.01) plus 10 extra in G3 (share 70: 7 at slope 1, 3 at slope 2 ->
    # 13 x 0.01) cost 0.87 < 1. Designated, G1 must reach its share.
    base = dict(sites=[{"name": "s", "min_size": 1, "max_size": 1000, "max_sites": 1,
                        "cost_per_site_eur": 1_000_000}],
                objective={"deviation": 0.01, "site_cost": 1.0, "financing": 0.0})
    free = solve(variant(**base), gemeenten([100, 200, 700]))
    assert places(free)[0] == 0 and sum(places(free)) == 100
    v = variant(**base, gemeenten={"designated": ["GM0001"]})
    res = solve(v, gemeenten([100, 200, 700]))
    assert places(res) == [10, 20, 70]
    check_tables(write(res, tmp_path), v)


def test_site_cost_prefers_fewer_sites():
    # one gemeente needs 120 places: 2 small (fixed 50k) vs 1 medium (fixed 60k): medium wins
    sites = [{"name": "small", "min_size": 10, "max_size": 99, "max_sites": 3, "cost_per_site_eur": 50_000},
             {"name": "medium", "min_size": 100, "max_size": 300, "max_sites": 1, "cost_per_site_eur": 60_000}]
    v = variant(total_places=120, sites=sites, objective={"deviation": 1.0, "site_cost": 1.0, "financing": 0.0})
    res = solve(v, gemeenten([1000]))
    row = res.places.iloc[0]
    assert (row["sites_small"], row["sites_medium"], row["new_medium"]) == (0, 1, 120)
    assert res.terms["site_cost"] == pytest.approx(0.06)


@pytest.mark.parametrize("bonus, expected", [(5_000, [60, 40]), (25_000, [45, 55])])
def test_surplus_bonus_moves_places_when_it_outweighs_the_deviation(tmp_path, bonus, expected):
    # shares 60, 40; only shortfalls are penalised, EUR 10,000 per place times the band slope
    # (1, 2, 4, ...). Moving a place from G1 to G2 earns the bonus: at 5,000 never worth it; at
    # 25,000 worth it while the slope is 1 or 2, i.e. up to 25 % of G1's share: 15 places.
    # (Moving from G2 to G1 gains less: 10 places, 0.25 - 0.16 = 0.09 < 0.375 - 0.24 = 0.135.)
    v = variant(objective={"deviation": 0.01, "site_cost": 0.0, "financing": 1.0, "surplus_factor": 0.0},
                financing={"surplus": [{"rate": bonus}]})
    res = solve(v, gemeenten([600, 400]))
    assert places(res) == expected
    surplus = max(0, expected[1] - 40)
    assert res.places["payment_eur"].tolist() == [0, surplus * bonus]
    check_tables(write(res, tmp_path), v)


def test_linear_malus_payments_and_sign(tmp_path):
    # lumpy instance of above: G3 misses 5 places -> pays 5 * 20,000
    v = variant(sites=[{"name": "s", "min_size": 15, "max_size": 100, "max_sites": 1}],
                objective={"deviation": 1.0, "site_cost": 0.0, "financing": 1.0},
                financing={"shortfall": [{"rate": 20_000}]})
    res = solve(v, gemeenten([100, 200, 700]))
    assert places(res)[0] == 15
    pay = res.places["payment_eur"]
    assert pay.iloc[0] == 0 and pay.sum() == -100_000 and (pay <= 0).all()  # 5 places short in G2/G3
    assert res.summary["net_cost_state_eur"] == -100_000
    check_tables(write(res, tmp_path), v)


def test_progressive_tiers_with_caps_match_the_rule(tmp_path):
    # increasing surplus rates and a malus cap need the exact (binary) formulation
    gem = gemeenten([500, 800, 1200, 3000, 4500], ["PV20", "PV20", "PV20", "PV21", "PV21"],
                    incomes=[20.0, 25.0, 30.0, 35.0, 40.0])
    existing = pd.Series([0, 30, 0, 45, 0], index=gem.index)
    v = variant(total_places=200, sites=[{"name": "s", "min_size": 12, "max_size": 60, "max_sites": 2}],
                objective={"deviation": 1.0, "site_cost": 0.0, "financing": 1.0},
                financing={"tier_unit": "share", "malus_cap_eur_per_inhabitant": 20.0,
                           "shortfall": [{"upto": 0.2, "rate": 10_000}, {"rate": 40_000}],
                           "surplus": [{"upto": 0.5, "rate": 2_000}, {"rate": 8_000}]})
    res = solve(v, gem, existing)
    check_tables(write(res, tmp_path), v)
    assert (res.places["payment_model_eur"] - res.places["payment_eur"]).abs().max() <= 1.0


def test_place_bonus_categories_and_existing(tmp_path):
    sites = [{"name": "small", "min_size": 5, "max_size": 99, "max_sites": 2, "durable": False},
             {"name": "medium", "min_size": 100, "max_size": 300, "max_sites": 1, "durable": True}]
    v = variant(total_places=300, sites=sites, objective={"deviation": 1.0, "site_cost": 0.0, "financing": 1.0},
                financing={"existing_category": "durable",
                           "place_bonus": {"national": {"durable": 5_000, "temporary": 2_500}}})
    gem = gemeenten([1000, 2000])
    existing = pd.Series([20, 0], index=gem.index)
    res = solve(v, gem, existing)
    check_tables(write(res, tmp_path), v)
    p = res.places
    expected = 5_000 * (p["existing"] + p["new_medium"]) + 2_500 * p["new_small"]
    assert p["payment_eur"].tolist() == expected.tolist()


def test_budget_neutral_balances_to_the_euro_with_excess_existing(tmp_path):
    # P21 holds more existing places than its total: surpluses exceed shortfalls, the bonus
    # rate per surplus place is the malus pool / total surplus (< the malus rate)
    gem = gemeenten([1000, 1000, 2000, 3000, 3000], ["PV20", "PV20", "PV20", "PV21", "PV21"])
    existing = pd.Series([0, 0, 0, 70, 0], index=gem.index)
    v = variant(sites=[{"name": "s", "min_size": 15, "max_size": 100, "max_sites": 1}],
                objective={"deviation": 1.0, "site_cost": 0.0, "financing": 1.0},
                financing={"budget_neutral": True, "shortfall": [{"rate": 20_001}]})
    res = solve(v, gem, existing)
    p = res.places
    assert int(p["payment_eur"].sum()) == 0
    assert int(p["bonus_eur"].sum()) == int(p["malus_eur"].sum()) > 0
    assert res.summary["net_cost_state_eur"] == 0
    rate = res.summary["neutral_bonus_rate_eur"]
    assert rate == pytest.approx(p["malus_eur"].sum() / p["surplus"].sum())
    check_tables(write(res, tmp_path), v)


def test_integral_split_restores_integer_places_per_option():
    from models.reception import build_model
    from optimizer.reception.solve import integral_split
    v = variant(total_places=100, sites=[{"name": "a", "min_size": 10, "max_size": 40, "max_sites": 2},
                                         {"name": "b", "min_size": 5, "max_size": 30, "max_sites": 1}])
    prep = reception.prepare(v, gemeenten=gemeenten([1000]), existing=pd.Series([0], index=["GM0001"]))
    m = build_model(prep.inputs)
    x, n = m.places_new, m.site_count
    n["GM0001", "a"].set_value(2)
    n["GM0001", "b"].set_value(1)
    x["GM0001", "a"].set_value(72.4)  # a fractional split of 100 places
    x["GM0001", "b"].set_value(27.6)
    assert integral_split(m, prep.inputs) == 2
    a, b = x["GM0001", "a"].value, x["GM0001", "b"].value
    assert a == int(a) and b == int(b) and a + b == 100 and 20 <= a <= 80 and 5 <= b <= 30


def test_infeasible_province_is_an_input_error():
    v = variant(gemeenten={"max_places_per_1000": 12.0})
    gem = gemeenten([1000, 1000, 2000], ["PV20"] * 3)
    with pytest.raises(InputError, match="cannot reach its total of 100 places"):
        solve(v, gem)


# ------------------------------------------------------------------------------------------
# Verevening
# ------------------------------------------------------------------------------------------

def test_verevening_hand_case_keeps_the_sum():
    idx = pd.Index(["GM0001", "GM0002", "GM0003"])
    base = pd.Series([10, 20, 70], index=idx)
    # places vs share: +10, -10, 0 (D = 0); factor 0.5 -> 5, 25, 70
    out = reception.adjust_taakstelling(base, pd.Series([20, 10, 70], index=idx), pd.Series([10, 20, 70], index=idx), 0.5)
    assert out["taakstelling_adjusted"].tolist() == [5, 25, 70]
    assert out["verevening_delta"].tolist() == [-5, 5, 0]
    # excess places nationally (D = 10) are handed back in proportion to the base
    out = reception.adjust_taakstelling(base, pd.Series([30, 20, 70], index=idx), pd.Series([10, 20, 70], index=idx), 0.5)
    # d = 20, 0, 0; raw = base - 0.5 d + 0.5 * 20 * base / 100 = 1, 22, 77
    assert out["taakstelling_adjusted"].tolist() == [1, 22, 77]


def test_verevening_floor_and_sum_with_random_data():
    rng = np.random.default_rng(1)
    idx = pd.Index([f"GM{i:04d}" for i in range(50)])
    for _ in range(20):
        base = pd.Series(rng.integers(0, 200, 50), index=idx)
        share = pd.Series(rng.integers(0, 500, 50), index=idx)
        placed = pd.Series(rng.integers(0, 900, 50), index=idx)
        for floor in (0.0, 0.5):
            out = reception.adjust_taakstelling(base, placed, share, 0.4, floor)
            assert int(out["taakstelling_adjusted"].sum()) == int(base.sum())
            assert (out["taakstelling_adjusted"] >= np.floor(floor * base) - 1).all()
            assert (out["taakstelling_adjusted"] >= 0).all()


def test_verevening_in_a_solve(tmp_path):
    v = variant(sites=[{"name": "s", "min_size": 15, "max_size": 100, "max_sites": 1}],
                verevening={"enabled": True, "factor": 0.5})
    gem = gemeenten([100, 200, 700])
    res = solve(v, gem, taakstelling=pd.Series([3, 6, 21], index=gem.index))
    p = res.places
    assert places(res)[0] == 15
    assert int(p["taakstelling_adjusted"].sum()) == 30
    # G1 hosts 5 above its share: 3 - 0.5 * 5 = 0.5 -> 0 or 1 after largest remainder
    assert p["taakstelling_adjusted"].iloc[0] in (0, 1)
    expected = pd.Series([3, 6, 21], index=gem.index) - 0.5 * (p["places"] - p["fair_share"])
    assert (p["taakstelling_adjusted"] - expected).abs().max() < 1
    out = write(res, tmp_path)
    t = read_table(out / "taakstelling_adjusted.csv")
    assert pd.to_numeric(t["taakstelling_adjusted"]).sum() == 30


# ------------------------------------------------------------------------------------------
# Full dataset (342 gemeenten): the shipped variants
# ------------------------------------------------------------------------------------------

def test_full_bonus_only_via_cli(tmp_path):
    import typer
    from typer.testing import CliRunner

    from optimizer.cli import reception as cli_reception
    app = typer.Typer()
    app.command("reception")(cli_reception.reception)
    app.command("compare")(cli_reception.compare)
    out = tmp_path / "bonus"
    r = CliRunner().invoke(app, ["reception", "--variant", "bonus-only", "--out", str(out)])
    assert r.exit_code == 0, r.output
    v = load_variant("bonus-only")
    p, prov = check_tables(out, v)
    assert len(p) == 342 and len(prov) == 12
    assert int(num(p, "places").sum()) == 88_000
    run = json.loads((out / "run.json").read_text())
    assert run["solver"]["status"] == "optimal"
    assert set(run["objective_terms"]) == {"deviation", "site_cost", "financing"}
    assert run["variant"]["sha256"] == v.sha256 and run["inputs"]
    # one run record: the solver's own status, objective, bound and gap at the top, stage timings
    assert run["kind"] == "reception" and run["command"] == "reception"
    assert all(run[k] == run["solver"][k] for k in ("status", "objective", "bound", "gap"))
    assert set(run["timings_seconds"]) == {"load", "validate", "inputs", "build", "compile", "solve", "extract", "total"}
    assert run["dataset_sha256"] and run["inputs"]["existing"] is None  # the embedded modelled places
    assert run["variant"]["settings"]["solver"]["time_limit"] == 120.0


def test_full_budget_neutral_and_verevening(tmp_path):
    v = load_variant("budget-neutral")
    res = reception.solve_variant(v)
    assert int(res.places["payment_eur"].sum()) == 0
    check_tables(write(res, tmp_path / "bn"), v)
    v = load_variant("verevening")
    res = reception.solve_variant(v)
    from optimizer.rules.taakstelling import statutory_taakstelling
    base = statutory_taakstelling(v.verevening.period, rounding=v.verevening.rounding)["taakstelling"]
    assert int(res.places["taakstelling_adjusted"].sum()) == int(base.sum())
    assert (res.places["taakstelling_base"] == base.reindex(res.places.index)).all()
    check_tables(write(res, tmp_path / "vv"), v)
