"""Properties of the reception model on small random instances (hypothesis).

Instances: 4-9 gemeenten with distinct random populations in 1-3 provinces, random existing
places, 30-240 places to distribute, a flexible site option plus sometimes a lumpy durable one.
Each instance runs through the stage functions (``prepare -> build -> solve -> extract``) with
a zero MIP gap, so objective values can be compared between instances. Properties:

* places per province equal the target (the national total when no province already holds
  more), no gemeente above its maximum, excluded gemeenten get nothing new, designated ones
  reach their share; the objective terms re-computed from the tables agree with the model;
* raising one gemeente's maximum never makes the (full) objective worse;
* relabelling the gemeenten (other codes, other order) does not change the objective;
* a budget-neutral scheme's payments sum to zero, to the euro;
* payments re-computed with :func:`optimizer.rules.bonus_malus.payments` equal the model's own
  payment expression (within rounding to whole euros).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st
from support.reception import band_penalty, gemeenten_frame

from optimizer.core.errors import InputError
from optimizer.reception.run import ReceptionResult, build, extract, prepare, solve
from optimizer.reception.variant import parse_variant
from optimizer.solve.highs import Status

PROVINCES = ("PV20", "PV21", "PV22")


def property_settings(n: int):
    """Few derandomized examples: every example solves one or two tiny models (~0.2 s each)."""
    return settings(max_examples=n, deadline=None, derandomize=True, phases=[Phase.explicit, Phase.generate],
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


@st.composite
def instances(draw, limits: bool = False) -> dict:
    """Data and variant sections of a small instance; with ``limits`` a max per 1,000
    inhabitants, a designated and an excluded gemeente."""
    n = draw(st.integers(4, 9))
    pops = draw(st.lists(st.integers(300, 30_000), min_size=n, max_size=n, unique=True))
    n_prov = draw(st.integers(1, 3))
    provinces = [PROVINCES[i % n_prov] for i in range(n)]
    incomes = draw(st.lists(st.floats(18.0, 45.0), min_size=n, max_size=n))
    gem = gemeenten_frame(pops, provinces, incomes)
    existing = pd.Series(draw(st.lists(st.sampled_from([0, 0, 5, 12, 30]), min_size=n, max_size=n)), index=gem.index)
    total = draw(st.integers(30, 240))
    sites = [{"name": "flex", "min_size": draw(st.integers(1, 5)), "max_size": draw(st.integers(80, 300)),
              "max_sites": 2, "durable": draw(st.booleans()), "cost_per_site_eur": draw(st.sampled_from([0, 20_000])),
              "cost_per_place_eur": draw(st.sampled_from([0, 1_000]))}]
    if draw(st.booleans()):
        sites.append({"name": "lumpy", "min_size": draw(st.integers(15, 40)), "max_size": 120, "max_sites": 1,
                      "durable": True, "cost_per_site_eur": 50_000})
    sections = {"total_places": total, "sites": sites,
                "key": {"name": draw(st.sampled_from(["population", "eu2015", "eu2024"]))},
                "objective": {"deviation": draw(st.sampled_from([0.05, 0.5, 1.0])),
                              "site_cost": draw(st.sampled_from([0.0, 1.0])), "financing": 0.0}}
    if limits:
        rate = 1000.0 * total / sum(pops)
        codes = list(gem.index)
        picked = draw(st.permutations(codes))
        sections["gemeenten"] = {"max_places_per_1000": round(rate * draw(st.floats(2.0, 4.0)), 3),
                                 "designated": [picked[0]], "excluded": [picked[1]] if draw(st.booleans()) else []}
    return {"gemeenten": gem, "existing": existing, "sections": sections}


def variant(sections: dict, **more):
    return parse_variant({"kind": "reception", "name": "property", **sections, **more}, "property.toml")


def solved(v, gem: pd.DataFrame, existing: pd.Series, inputs_change=None) -> ReceptionResult:
    """Stages prepare -> build -> solve -> extract with a zero gap; instances the feasibility
    pre-check rejects (a province that cannot reach its total) are skipped."""
    try:
        prep = prepare(v, gemeenten=gem, existing=existing)
    except InputError as exc:
        assume("cannot reach" not in exc.report())
        raise
    if inputs_change is not None:
        prep = dataclasses.replace(prep, inputs=inputs_change(prep.inputs))
    res = extract(prep, solve(prep, build(prep.inputs), v.solver.options(mip_rel_gap=0.0, time_limit=30.0)))
    assert res.result.status == Status.OPTIMAL
    return res


def full_objective(res: ReceptionResult) -> float:
    """The objective from the tables alone, including the deviation no decision can change
    (the model leaves that constant out): weighted deviation penalty of every gemeente plus
    site cost in million EUR (no financing here)."""
    obj = res.prepared.variant.objective
    p = res.places
    scale = np.maximum(p["fair_share"].astype(float), obj.min_scale)
    dev = sum(obj.shortfall_factor * band_penalty(max(0.0, -d), s, obj.band_ends, obj.band_slopes)
              + obj.surplus_factor * band_penalty(max(0.0, d), s, obj.band_ends, obj.band_slopes)
              for d, s in zip(p["deviation"].astype(float), scale))
    return obj.deviation * dev + obj.site_cost * float(p["site_cost_eur"].sum()) / 1e6


@given(instances(limits=True))
@property_settings(10)
def test_places_meet_the_totals_and_the_limits(case):
    v = variant(case["sections"])
    res = solved(v, case["gemeenten"], case["existing"])
    p, prov, inp = res.places, res.provinces, res.prepared.inputs
    by_prov = p.groupby("provincie_code")["places"].sum()
    assert (by_prov == prov["target"]).all()
    assert (prov["target"] == np.maximum(prov["province_total"], prov["existing"])).all()
    assert int(prov["province_total"].sum()) == v.total_places
    if (prov["existing"] <= prov["province_total"]).all():
        assert int(p["places"].sum()) == v.total_places
    assert (p["places"] <= p["max_places"]).all()
    assert (p.loc[p["excluded"], "new_total"] == 0).all()
    assert (p.loc[p["designated"], "places"] >= p.loc[p["designated"], "fair_share"]).all()
    assert (p["places"] == p["existing"] + p["new_total"]).all()
    # the model's terms agree with the tables: site cost exactly, deviation up to the constant
    # part no decision can change (existing above the share, a limit below it)
    assert res.terms["site_cost"] == pytest.approx(float(p["site_cost_eur"].sum()) / 1e6, abs=1e-9)
    obj = v.objective
    scale = np.maximum(inp.share.astype(float), obj.min_scale)
    upper = inp.upper_places()
    forced = sum(obj.shortfall_factor * band_penalty(max(0.0, s - u), c, obj.band_ends, obj.band_slopes)
                 + obj.surplus_factor * band_penalty(max(0.0, e - s), c, obj.band_ends, obj.band_slopes)
                 for s, u, e, c in zip(inp.share.astype(float), upper, inp.existing.astype(float), scale))
    assert obj.deviation * (res.terms["deviation"] + forced) + obj.site_cost * res.terms["site_cost"] == \
        pytest.approx(full_objective(res), rel=1e-7, abs=1e-7)


@given(instances(limits=True), st.data())
@property_settings(10)
def test_raising_a_gemeente_maximum_never_makes_the_objective_worse(case, data):
    v = variant(case["sections"])
    base = solved(v, case["gemeenten"], case["existing"])
    i = data.draw(st.integers(0, len(base.places) - 1), label="gemeente")
    extra = data.draw(st.sampled_from([1.0, 10.0, 50.0, np.inf]), label="extra places")

    def raise_max(inp):
        limit = inp.max_places.copy()
        limit[i] += extra
        return dataclasses.replace(inp, max_places=limit)

    raised = solved(v, case["gemeenten"], case["existing"], raise_max)
    assert full_objective(raised) <= full_objective(base) + 1e-7 * max(1.0, abs(full_objective(base)))


@given(instances(), st.randoms(use_true_random=False))
@property_settings(10)
def test_relabelling_the_gemeenten_keeps_the_objective(case, rnd):
    v = variant(case["sections"])
    gem, existing = case["gemeenten"], case["existing"]
    base = solved(v, gem, existing)
    codes = list(gem.index)
    relabel = dict(zip(codes, rnd.sample(codes, len(codes))))
    gem2 = gem.rename(index=relabel).sample(frac=1.0, random_state=rnd.randint(0, 1000))
    existing2 = existing.rename(index=relabel)
    other = solved(v, gem2, existing2)
    assert other.result.objective == pytest.approx(base.result.objective, rel=1e-7, abs=1e-7)
    moved = other.places.rename(index={new: old for old, new in relabel.items()}).sort_index()
    assert (moved["fair_share"] == base.places["fair_share"]).all()


@given(instances(), st.sampled_from([5_000, 20_000, 20_001]), st.sampled_from([0.0, 1.0]))
@property_settings(10)
def test_budget_neutral_payments_sum_to_zero(case, rate, weight):
    sections = {**case["sections"], "objective": {**case["sections"]["objective"], "financing": weight}}
    v = variant(sections, financing={"budget_neutral": True, "shortfall": [{"rate": rate}]})
    p = solved(v, case["gemeenten"], case["existing"]).places
    assert int(p["payment_eur"].sum()) == 0
    assert int(p["bonus_eur"].sum()) == int(p["malus_eur"].sum())
    assert (p.loc[p["deviation"] < 0, "payment_eur"] <= 0).all()


SCHEMES = {
    "linear malus": {"shortfall": [{"rate": 20_000}]},
    "tiered malus, capped": {"tier_unit": "share", "malus_cap_eur_per_inhabitant": 15.0,
                             "shortfall": [{"upto": 0.2, "rate": 5_000}, {"rate": 30_000}]},
    "progressive bonus": {"surplus": [{"upto": 10, "rate": 1_000}, {"rate": 6_000}],
                          "shortfall": [{"rate": 8_000}]},
    "place bonus, capped": {"existing_category": "temporary", "bonus_cap_eur": 150_000.0,
                            "place_bonus": {"national": {"durable": 5_000, "temporary": 2_500}}},
}


@given(instances(), st.sampled_from(sorted(SCHEMES)), st.sampled_from([0.0, 1.0]))
@property_settings(10)
def test_model_payments_equal_the_rule(case, scheme, weight):
    sections = {**case["sections"], "objective": {**case["sections"]["objective"], "financing": weight}}
    p = solved(variant(sections, financing=SCHEMES[scheme]), case["gemeenten"], case["existing"]).places
    # bonus_malus rounds each bonus and malus to whole euros; the model is continuous
    assert (p["payment_model_eur"] - p["payment_eur"]).abs().max() <= 1.0 + 1e-6
