"""Golden LP snapshots of every constraint family and the objective of the reception model.

The instance is tiny and hand-made: 4 gemeenten in 2 provinces, two site options (``small``
5-20 places, up to 2 sites, temporary; ``large`` 30-60, one site, durable). G1 is designated
and limited by its province (``gemeente_max``), G2 may not have a large site and has existing
places above its share, G3 has a per-gemeente maximum and its province leaves it less room than
its options, G4 is excluded (a forced shortfall); G1 and G3 need fewer places than a large site
holds (``site_need`` cuts). Cases, one per financing variant:

* ``bonus_only`` (the base case): place bonus for existing and new places, no malus;
* ``linear_malus``: one malus rate per missing place (``deviation_side`` binaries);
* ``budget_neutral``: the linear malus and the fixed budget-neutral bonus rate;
* ``progressive``: progressive surplus-bonus tiers (binaries), rising malus tiers, a bonus cap
  and a malus cap;
* ``unweighted``: ``progressive`` with financing weight 0 (every piecewise part gets binaries).

Snapshots: ``tests/math/golden/reception/<case>/<family>.lp``; a case stores only the
snapshots that differ from those of the case it follows (see :mod:`support.lp_golden`).

Regenerate after an intended change of the algebra, then review the diff::

    python -m pytest tests/math --update-golden      # or UPDATE_GOLDEN=1 python -m pytest tests/math
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from support.lp_golden import Golden, families, golden_tests

import models.reception as reception
from models.reception import FinancingInputs, ReceptionInputs, SiteOption, build_model

INF = np.inf
SMALL = SiteOption("small", min_size=5, max_size=20, max_sites=2, durable=False,
                   cost_per_site_eur=10_000.0, cost_per_place_eur=1_000.0)
LARGE = SiteOption("large", min_size=30, max_size=60, max_sites=1, durable=True,
                   cost_per_site_eur=50_000.0, cost_per_place_eur=500.0)
PLACE_BONUS = dict(place_bonus_existing=5_000.0, place_bonus_site={"small": 2_500.0, "large": 5_000.0})
LINEAR_MALUS = dict(shortfall_widths=np.full((4, 1), INF), shortfall_rates=np.array([20_000.0]))
PROGRESSIVE = dict(PLACE_BONUS,
                   surplus_widths=np.tile([5.0, 10.0, INF], (4, 1)), surplus_rates=np.array([1_000.0, 2_000.0, 4_000.0]),
                   shortfall_widths=np.tile([5.0, INF], (4, 1)), shortfall_rates=np.array([10_000.0, 30_000.0]),
                   bonus_cap=np.array([100_000.0, INF, INF, INF]), malus_cap=np.array([50_000.0, INF, INF, 20_000.0]))


def inputs(financing: FinancingInputs | None = None, **changes) -> ReceptionInputs:
    data = dict(
        gemeenten=["GM0001", "GM0002", "GM0003", "GM0004"],
        province=["PV20", "PV20", "PV21", "PV21"],
        share=np.array([40, 10, 30, 5]),
        existing=np.array([0, 20, 5, 0]),
        max_places=np.array([INF, INF, 60.0, INF]),
        designated=np.array([True, False, False, False]),
        excluded=np.array([False, False, False, True]),
        province_target={"PV20": 70, "PV21": 40},
        sites=[SMALL, LARGE],
        site_allowed=np.array([[True, True], [True, False], [True, True], [True, True]]),
        weights={"deviation": 0.05, "site_cost": 1.0, "financing": 1.0},
        surplus_factor=1.5,
        financing=financing,
    )
    data.update(changes)
    return ReceptionInputs(**data)


CASES = {
    "bonus_only": lambda: inputs(FinancingInputs(**PLACE_BONUS)),
    "linear_malus": lambda: inputs(FinancingInputs(**LINEAR_MALUS)),
    "budget_neutral": lambda: inputs(FinancingInputs(**LINEAR_MALUS, neutral_rate=12_000.0)),
    "progressive": lambda: inputs(FinancingInputs(**PROGRESSIVE)),
    "unweighted": lambda: inputs(FinancingInputs(**PROGRESSIVE), weights={"deviation": 0.05, "site_cost": 1.0,
                                                                         "financing": 0.0}),
}
GOLDEN = Golden("reception", lambda case: build_model(CASES[case]()),
                {"bonus_only": None, "linear_malus": "bonus_only", "budget_neutral": "linear_malus",
                 "progressive": "linear_malus", "unweighted": "progressive"})


test_family_matches_golden_snapshot, test_every_active_constraint_family_has_a_golden_file = golden_tests(GOLDEN)


def test_every_constraint_family_of_the_model_is_in_a_case():
    """Every constraint the model code can create appears in some case (so has a snapshot)."""
    templates, missing = GOLDEN.coverage(reception.__file__)
    assert {"site_size_max", "gemeente_max", "{side}_tier_fill", "{side}_cap_below_limit"} <= set(templates)
    assert not missing, f"constraint families no case exercises: {missing}"


def test_cases_exercise_their_financing_families():
    fams = {case: set(families(GOLDEN.get(case))) for case in CASES}
    assert not any(f.startswith(("bonus_", "malus_", "deviation_side")) for f in fams["bonus_only"])
    assert {"malus_tiers", "deviation_side_surplus", "deviation_side_shortfall"} <= fams["linear_malus"]
    assert fams["budget_neutral"] == fams["linear_malus"]
    assert {"bonus_tier_fill", "bonus_tier_next", "bonus_cap_raw", "malus_cap_below_raw"} <= fams["progressive"]
    assert "malus_tier_fill" not in fams["progressive"]  # rising malus rates, minimised: no binaries
    assert {"malus_tier_fill", "bonus_cap_below_raw", "bonus_cap_below_limit"} <= fams["unweighted"]
    assert {"site_need", "gemeente_max", "gemeente_designated"} <= fams["bonus_only"]


def perturbed(build) -> Golden:
    """The ``bonus_only`` snapshots, compared against a model built by ``build()`` instead."""
    return Golden("reception", lambda case: build(), {"bonus_only": None})


def test_changed_site_size_fails_the_snapshot():
    """Perturb one input (the small site holds 19 places instead of 20): the golden comparison
    of ``site_size_max`` fails."""
    small = replace(SMALL, max_size=19)
    golden = perturbed(lambda: build_model(inputs(FinancingInputs(**PLACE_BONUS), sites=[small, LARGE])))
    with pytest.raises(AssertionError, match="bonus_only/site_size_max differs"):
        golden.check("bonus_only", "site_size_max", update=False)


def test_changed_algebra_fails_the_snapshot(monkeypatch):
    """Scale one term's coefficients (money in EUR instead of thousand EUR in the model): the
    golden comparison of the objective fails, those of the site families still pass."""
    monkeypatch.setattr(reception, "KEUR", 1.0)
    golden = perturbed(lambda: build_model(CASES["bonus_only"]()))
    with pytest.raises(AssertionError, match="bonus_only/objective differs"):
        golden.check("bonus_only", "objective", update=False)
    golden.check("bonus_only", "site_size_min", update=False)
