"""The look-ahead policy: LP-dual prices on hand-checkable cases, the priced weekly decision on a
tiny half-year with a known future, and determinism with seeds."""

from __future__ import annotations

import dataclasses
from datetime import date

import numpy as np
import pandas as pd
import pytest
from support.simulation import row, simulate_checked, tiny_world

from optimizer.koppeling import run as koppeling
from optimizer.koppeling.variant import load_variant
from optimizer.simulation.policies import LookAhead, Weekly, engine_state, proposal_context
from optimizer.simulation.prices import average_prices, lp_duals, relax
from optimizer.simulation.scenario import Scenario, build_world
from optimizer.simulation.weekly import Week, pending_households, week_state

GM = "GM0034"  # Almere
DAYS = [date(2025, 7, 7), date(2025, 7, 14)]
VARIANT = load_variant("default")
OPTIONS = VARIANT.solver.options(threads=1, random_seed=0)


def lp_of(rows: list[dict], target: int, dwellings: dict[int, int], weights: dict[str, float]):
    """The relaxed model of one gemeente's households and dwellings, with only ``weights``."""
    world = tiny_world(rows, DAYS, {GM: target}, {(0, GM, k): n for k, n in dwellings.items()})
    free = world.release[0]
    state = engine_state(week_state(world, DAYS[0], pd.Series({GM: 0}), free))
    state["target"] = float(target)
    ctx = proposal_context(pending_households(world, 0, DAYS[0], set()), state, VARIANT, DAYS[0])
    ctx = dataclasses.replace(ctx, inputs=dataclasses.replace(ctx.inputs, weights=weights))
    return ctx, relax(koppeling.build(ctx, quota_secants=False).model)


def test_dwelling_price_by_hand():
    """Two singles, one class-1 dwelling, only the unplaced weight (1000): one single stays
    unplaced, so one more class-1 dwelling saves 1000 and one less costs 1000: the LP price is
    exactly 1000; no quota weight, so no person price."""
    rows = [row("H1", 1, permit="2025-07-07", coa=GM), row("H2", 1, permit="2025-07-07", coa=GM)]
    _, model = lp_of(rows, 0, {1: 1}, {"unplaced": 1000.0})
    duals = lp_duals(model, OPTIONS)
    lam = average_prices([duals.dwelling])
    assert lam[0, 0] == pytest.approx(1000.0)
    assert (lam[0, 1:] == 0).all()
    assert duals.person[0] == pytest.approx(0.0)
    assert list(duals.unit.values()) == [pytest.approx(1000.0)]  # one more single: unplaced


def test_person_price_by_hand():
    """One single, one class-1 dwelling, target 3, quota weight 10 (convex bands, scale 3: band
    ends 0.3, 0.75, 1.5, 2.25 persons, slopes 1, 2, 4, 8, 16). Linked, the gemeente is 2 persons
    under. The model interpolates between whole shortfalls: F(1) = 0.3 + 0.9 + 0.25 x 4 = 2.2,
    F(2) = 0.3 + 0.9 + 3 + 0.5 x 8 = 8.2, F(3) = 4.2 + 0.75 x 8 + 0.75 x 16 = 22.2; so one
    person less of shortfall saves 10 x (8.2 - 2.2) = 60 and one more costs 10 x 14 = 140: at
    the kink the dual lies between, :math:`-140 \\le \\pi \\le -60` (HiGHS returns -60). The
    dwelling has no other household to serve: price 0."""
    rows = [row("H1", 1, permit="2025-07-07", coa=GM)]
    _, model = lp_of(rows, 3, {1: 1}, {"unplaced": 1000.0, "quota": 10.0})
    duals = lp_duals(model, OPTIONS)
    assert -140.0 - 1e-6 <= duals.person[0] <= -60.0 + 1e-6
    assert average_prices([duals.dwelling])[0, 0] == pytest.approx(0.0)


def test_average_prices_clips_and_averages():
    """Prices are minus the capacity duals, averaged over samples, never negative."""
    y1 = np.array([[-10.0, 0, 0, 0, 1e-12]])
    y2 = np.array([[-30.0, -4, 0, 0, 0]])
    assert average_prices([y1, y2]).tolist() == [[20.0, 2.0, 0.0, 0.0, 0.0]]


# ------------------------------------------------------------------------------------------
# The priced weekly decision on a tiny half-year with a known future
# ------------------------------------------------------------------------------------------

def family_world():
    """Week 0: a single S1 and one class-3 dwelling; week 1: two families F1, F2 (3 persons,
    each needing class 3) and two class-1 dwellings. Target 7 persons."""
    rows = [row("S1", 1, permit="2025-07-07", coa=GM, arrival=0),
            row("F1", 3, children=1, permit="2025-07-14", coa=GM, arrival=1),
            row("F2", 3, children=1, permit="2025-07-14", coa=GM, arrival=1)]
    return tiny_world(rows, DAYS, {GM: 7}, {(0, GM, 3): 1, (1, GM, 1): 2})


@dataclasses.dataclass
class Prophet(LookAhead):
    """The look-ahead with a perfect forecast: the future is the world's own households still
    to arrive (renamed) and its own dwellings still to be released."""

    def future(self, week: Week, sample: int = 0) -> pd.DataFrame:
        w = week.world
        later = w.awaiting[(w.arrival.reindex(w.awaiting.index) > week.index).to_numpy()].copy()
        later.index = "X" + later.index
        later.index.name = "household_id"
        return later

    def rest_state(self, week: Week, sample: int = 0) -> pd.DataFrame:
        state = super().rest_state(week, sample)
        state[["c1", "c2", "c3", "c4", "c5"]] = week.dwellings + week.world.release[week.index + 1:].sum(axis=0)
        return state


def test_lookahead_keeps_the_large_dwelling_for_the_family():
    """The weekly policy puts S1 in the class-3 dwelling in week 0 (size_fit 8 < unplaced 1000)
    and neither family finds a dwelling in week 1. With the future known, week 0's LP has two
    families for one class-3 dwelling (its price: a family's unplaced cost, 1000) and a spare
    class-1 dwelling (price 0), where S1's own LP value lies: S1 waits (linking it now costs
    8 + 1000 more than its value plus one week's patience), takes a class-1 dwelling in week 1,
    and a family gets the class-3 dwelling (in the last batch the tie between linking and
    waiting goes to linking). The checker passes on every week."""
    weekly, _ = simulate_checked(family_world(), Weekly(VARIANT, OPTIONS))
    assert set(zip(weekly.links["household_id"], weekly.links["dwelling_class"], weekly.links["week"])) == {
        ("S1", 3, 0)}
    ahead, checked = simulate_checked(family_world(), Prophet(VARIANT, OPTIONS, 1, samples=1))
    assert checked == 2
    got = dict(zip(ahead.links["household_id"], zip(ahead.links["dwelling_class"], ahead.links["week"])))
    assert got.pop("S1") == (1, 1)
    assert len(got) == 1 and next(iter(got.values())) == (3, 1) and set(got) <= {"F1", "F2"}


# ------------------------------------------------------------------------------------------
# Determinism
# ------------------------------------------------------------------------------------------

def test_prices_depend_on_the_policy_seed_only():
    """The same policy seed gives the same samples and prices; another seed other samples."""
    world = build_world(Scenario(provinces=("PV24",), weeks=3, scale=0.25), 1)
    free = world.release[0]
    linked = pd.Series(0, index=pd.Index(world.gemeenten, name="gm_code"), dtype="int64")
    week = Week(0, world.days[0], pending_households(world, 0, world.days[0], set()),
                week_state(world, world.days[0], linked, free), world)
    a, b = LookAhead(VARIANT, OPTIONS, 7, samples=2), LookAhead(VARIANT, OPTIONS, 7, samples=2)
    pa, pb = a.prices(week), b.prices(week)
    assert pa.dwelling.equals(pb.dwelling) and pa.person.equals(pb.person)
    assert a.future(week, 0).equals(b.future(week, 0))
    assert not a.future(week, 0).equals(a.future(week, 1))
    assert not a.future(week, 0).equals(LookAhead(VARIANT, OPTIONS, 8).future(week, 0))
