"""Payment rules on hand-computed cases; budget-neutral schemes balance to the euro."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from optimizer.rules.bonus_malus import PaymentRule, Tier, neutral_bonus_rate, payments, summary, tiered_amount

IDX = pd.Index(["GM0001", "GM0002", "GM0003", "GM0004"], name="gm_code")


def series(values) -> pd.Series:
    return pd.Series(values, index=IDX[: len(values)])


def test_linear_malus_eu_pact_reference():
    rule = PaymentRule(shortfall_tiers=(Tier(None, 20_000),))
    t = payments(series([80, 100, 130]), series([100, 100, 100]), series([1, 1, 1]), rule)
    assert t["malus_eur"].tolist() == [400_000, 0, 0]
    assert t["bonus_eur"].tolist() == [0, 0, 0]
    assert t["payment_eur"].tolist() == [-400_000, 0, 0]  # negative = the gemeente pays
    s = summary(t)
    assert s["net_cost_state_eur"] == -400_000 and s["gemeenten_paying"] == 1 and s["gemeenten_receiving"] == 0


def test_spreidingswet_place_bonus_by_category():
    rule = PaymentRule(place_bonus={"durable": 5_000, "temporary": 2_500})
    places = pd.DataFrame({"durable": [100, 0, 300], "temporary": [20, 40, 0]}, index=IDX[:3])
    t = payments(places, series([50, 50, 50]), series([1, 1, 1]), rule)
    assert t["bonus_eur"].tolist() == [100 * 5_000 + 20 * 2_500, 40 * 2_500, 300 * 5_000]
    assert t["malus_eur"].tolist() == [0, 0, 0]  # bonus only: a gemeente below its share pays nothing
    assert t["payment_eur"].tolist() == t["bonus_eur"].tolist()


def test_tiers_in_places():
    tiers = (Tier(10, 5_000), Tier(30, 15_000), Tier(None, 30_000))
    assert tiered_amount(0, tiers) == 0
    assert tiered_amount(8, tiers) == 8 * 5_000
    assert tiered_amount(25, tiers) == 10 * 5_000 + 15 * 15_000
    assert tiered_amount(50, tiers) == 10 * 5_000 + 20 * 15_000 + 20 * 30_000
    closed = (Tier(10, 1_000),)
    assert tiered_amount(50, closed) == 10 * 1_000  # nothing beyond a closed last tier


def test_progressive_tiers_relative_to_share_with_caps():
    rule = PaymentRule(shortfall_tiers=(Tier(0.1, 5_000), Tier(0.5, 15_000), Tier(None, 30_000)),
                       surplus_tiers=(Tier(0.25, 4_000), Tier(None, 1_000)), tier_unit="share",
                       malus_cap_eur_per_inhabitant=25.0)
    share = series([200, 200, 200, 40])
    places = series([150, 20, 260, 40])
    pop = series([40_000, 40_000, 10_000, 8_000])
    t = payments(places, share, pop, rule)
    # GM0001: shortfall 50 of share 200: 20 at 5k (10%), 30 at 15k -> 550,000; cap 25*40,000 = 1,000,000
    # GM0002: shortfall 180: 20*5k + 80*15k + 80*30k = 3,700,000 -> capped at 1,000,000
    # GM0003: surplus 60: 50 (25%) at 4k + 10 at 1k = 210,000
    assert t["malus_uncapped_eur"].tolist() == [550_000, 3_700_000, 0, 0]
    assert t["malus_eur"].tolist() == [550_000, 1_000_000, 0, 0]
    assert t["bonus_eur"].tolist() == [0, 0, 210_000, 0]
    assert t["payment_eur"].tolist() == [-550_000, -1_000_000, 210_000, 0]


def test_bonus_cap_fixed_amount():
    rule = PaymentRule(place_bonus={"durable": 5_000}, bonus_cap_eur=1_000_000)
    places = pd.DataFrame({"durable": [100, 400]}, index=IDX[:2])
    t = payments(places, series([100, 100]), series([1, 1]), rule)
    assert t["bonus_eur"].tolist() == [500_000, 1_000_000]


def test_budget_neutral_hand_case():
    rule = PaymentRule(shortfall_tiers=(Tier(None, 20_000),), budget_neutral=True)
    # shortfalls 10 and 5 -> pool 300,000; surpluses 10 and 5 -> 200,000 and 100,000
    t = payments(series([90, 45, 110, 55]), series([100, 50, 100, 50]), series([1, 1, 1, 1]), rule)
    assert t["malus_eur"].tolist() == [200_000, 100_000, 0, 0]
    assert t["bonus_eur"].tolist() == [0, 0, 200_000, 100_000]
    assert int(t["payment_eur"].sum()) == 0
    assert neutral_bonus_rate(t) == pytest.approx(20_000)


def test_budget_neutral_awkward_division_balances_to_the_euro():
    rule = PaymentRule(shortfall_tiers=(Tier(None, 10_001),), budget_neutral=True)
    # pool 10,001 over three surplus places -> 3,334 / 3,334 / 3,333 (largest remainder)
    t = payments(series([99, 101, 101, 101]), series([100, 100, 100, 100]), series([1, 1, 1, 1]), rule)
    assert t["malus_eur"].sum() == 10_001
    assert sorted(t["bonus_eur"].tolist()) == [0, 3_333, 3_334, 3_334]
    assert int(t["payment_eur"].sum()) == 0


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 400), st.integers(0, 300), st.integers(100, 100_000)), min_size=2, max_size=12),
       st.integers(1, 40_000), st.one_of(st.none(), st.floats(1, 50)))
def test_budget_neutral_always_balances(rows, rate, cap_per_inh):
    idx = pd.Index([f"GM{i:04d}" for i in range(len(rows))])
    places = pd.Series([r[0] for r in rows], index=idx)
    share = pd.Series([r[1] for r in rows], index=idx)
    pop = pd.Series([r[2] for r in rows], index=idx)
    rule = PaymentRule(shortfall_tiers=(Tier(None, rate),), budget_neutral=True,
                       malus_cap_eur_per_inhabitant=cap_per_inh)
    t = payments(places, share, pop, rule)
    if t["surplus"].sum() > 0:
        assert int(t["payment_eur"].sum()) == 0
        assert int(t["bonus_eur"].sum()) == int(t["malus_eur"].sum())
    assert (t["malus_eur"] <= t["malus_cap_eur"] + 0.5).all()


@pytest.mark.parametrize("kwargs, message", [
    ({"place_bonus": {"durable": -1}}, "place_bonus"),
    ({"shortfall_tiers": (Tier(None, -5),)}, "rate must be a finite rate >= 0"),
    ({"shortfall_tiers": (Tier(10, 1), Tier(5, 2))}, "larger than the previous breakpoint"),
    ({"shortfall_tiers": (Tier(None, 1), Tier(5, 2))}, "only the last tier"),
    ({"budget_neutral": True, "place_bonus": {"durable": 5_000}, "shortfall_tiers": (Tier(None, 1),)}, "place bonus"),
    ({"budget_neutral": True, "surplus_tiers": (Tier(None, 1),), "shortfall_tiers": (Tier(None, 1),)}, "surplus tiers"),
    ({"budget_neutral": True, "bonus_cap_eur": 5.0, "shortfall_tiers": (Tier(None, 1),)}, "cap bonuses"),
    ({"malus_cap_eur": -1.0}, "malus_cap_eur"),
])
def test_bad_rules_rejected(kwargs, message):
    with pytest.raises(ValueError, match=message):
        PaymentRule(**kwargs)
