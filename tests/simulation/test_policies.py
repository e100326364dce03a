"""Every policy on small drawn half-years: the independent checker on every weekly decision,
and the hindsight optimum never worse than any policy."""

from __future__ import annotations

import pytest
from support.simulation import simulate_checked

from optimizer.koppeling.variant import load_variant
from optimizer.simulation import metrics
from optimizer.simulation.hindsight import evaluate_links, hindsight_context, labour_score
from optimizer.simulation.policies import POLICIES, make_policy
from optimizer.simulation.scenario import Scenario, build_world

SCENARIO = Scenario(provinces=("PV24",), weeks=3, scale=0.25)
VARIANT = load_variant("default")
OPTIONS = VARIANT.solver.options(threads=1, random_seed=0)


@pytest.fixture(scope="module", params=[1, 2])
def world_and_hindsight(request):
    world = build_world(SCENARIO, request.param)
    return request.param, world, hindsight_context(world, VARIANT, OPTIONS)


@pytest.mark.parametrize("policy", POLICIES)
def test_policy_keeps_every_hard_rule_and_never_beats_hindsight(world_and_hindsight, policy):
    """The checker passes on each of the 3 weekly decisions; the policy's half-year of links,
    evaluated in the hindsight model, costs at least the hindsight optimum's proven bound."""
    seed, world, h = world_and_hindsight
    out, checked = simulate_checked(world, make_policy(policy, VARIANT, OPTIONS, seed), sharing=True)
    assert checked == SCENARIO.weeks
    assert len(out.links) > 0
    policy_objective = evaluate_links(h.ctx, out.links).objective
    assert h.bound <= policy_objective + 1e-6
    assert h.bound <= h.objective + 1e-6
    # a household is linked at most once over the half-year, and only after its permit
    assert not out.links["household_id"].duplicated().any()
    f = metrics.link_frame(world, out.links)
    assert (f["wait_link_weeks"] >= 0).all()


def test_hindsight_links_are_its_own_optimum(world_and_hindsight):
    """The hindsight links evaluated by the engine's evaluator give its reported objective."""
    h = world_and_hindsight[2]
    assert evaluate_links(h.ctx, h.links).objective == pytest.approx(h.objective, rel=1e-9, abs=1e-6)
    assert labour_score(h.ctx, h.links) > 0


def test_same_seed_same_world_and_links():
    """Deterministic: the same scenario and seed give the same world and the same weekly links."""
    a, b = build_world(SCENARIO, 3), build_world(SCENARIO, 3)
    assert a.households.equals(b.households) and a.arrival.equals(b.arrival) and (a.release == b.release).all()
    la = simulate_checked(a, make_policy("weekly", VARIANT, OPTIONS, 3))[0].links
    lb = simulate_checked(b, make_policy("weekly", VARIANT, OPTIONS, 3))[0].links
    assert la.equals(lb)
