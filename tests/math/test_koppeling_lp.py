"""Golden LP snapshots of every constraint family and the objective of the koppeling model.

The instance is tiny and hand-made (3 gemeenten in two zones, 4 units / 5 households): a unit
of two singles with two zone options, a family with a zone and a gemeente option, a referent
and its nareiziger (a linked pair, gemeente options only), caps on persons and on households,
class-2 dwellings to share, targets below a household's size (``quota_oversize`` rows).
Cases: ``aggregated`` (default formulation, minimax off), ``aggregated_minimax`` (minimax on),
``per_household`` (the per-household formulation, minimax on) and ``aggregated_resources``
(named resource capacities ``cap_resource`` and pruned closed pairs: G2's wheelchair capacity 0
closes it to singles, so no ``zone_flow[0, 1]``). Snapshots:
``tests/math/golden/koppeling/<case>/<family>.lp``; a case stores only the snapshots that
differ from those of the case it follows (``aggregated`` <- ``aggregated_minimax`` <-
``per_household``; see :mod:`support.lp_golden`).

Regenerate after an intended change of the algebra, then review the diff::

    python -m pytest tests/math --update-golden      # or UPDATE_GOLDEN=1 python -m pytest tests/math
"""

from __future__ import annotations

import numpy as np
import pytest
from support.lp_golden import Golden, families, golden_tests

import models.koppeling as koppeling
from models.koppeling import KoppelingInputs, build_model

NAN = np.nan


def inputs(minimax: float = 0.0, **changes) -> KoppelingInputs:
    """Gemeenten G1, G2 (zone 0) and G3 (zone 1); size types 0 (1 person, class 1) and 1
    (3 persons, class 3); units: u0 two singles (zone 0 / zone 1), u1 a family (zone 0 /
    gemeente G3), u2 a single referent (G1 / G2) and u3 its nareiziger family (G1 / G2)."""
    target = np.array([4.0, 2.0, 1.0])
    data = dict(
        gemeenten=["GM0001", "GM0002", "GM0003"],
        target=target,
        scale=np.maximum(target, 1.0),
        pressure=np.array([0.5, 0.0, 0.2]),
        dwellings=np.array([[1, 1, 1, 1, 0], [0, 1, 1, 0, 0], [1, 0, 0, 2, 0]]),
        cap_persons=np.array([NAN, 5.0, NAN]),
        cap_households=np.array([NAN, NAN, 1.0]),
        zone_of=np.array([0, 0, 1]),
        size_persons=np.array([1, 3]),
        size_class=np.array([1, 3]),
        unit_size=np.array([0, 1, 0, 1]),
        unit_count=np.array([2, 1, 1, 1]),
        #            u0 zone0, u0 zone1, u1 zone0, u1 G3, u2 G1, u2 G2, u3 G1, u3 G2
        opt_unit=np.array([0, 0, 1, 1, 2, 2, 3, 3]),
        opt_is_zone=np.array([True, True, True, False, False, False, False, False]),
        opt_target=np.array([0, 1, 0, 2, 0, 1, 0, 1]),
        opt_terms={
            "labour": np.array([0.0, 0.4, 0.0, 0.25, 0.0, 0.0, 0.0, 0.0]),
            "continuity": np.array([0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0]),
            "continuity_per_school_child": np.array([0.0, 0.0, 0.0, 2.0, 0.0, 0.0, 0.0, 0.0]),
            "tie": np.array([0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 1.0]),
            "change": np.array([0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
        },
        hh_unit=np.array([0, 0, 1, 2, 3]),
        hh_terms={"unplaced": np.ones(5), "waiting": np.array([3.0, 5.0, 2.0, 7.0, 1.0])},
        links=[(2, 3)],
        weights={"labour": 1.0, "continuity": 0.5, "continuity_per_school_child": 0.1, "tie": 2.0, "change": 0.3,
                 "quota": 10.0, "pressure": 2.0, "size_fit": 0.2, "sharing": 0.7, "minimax": minimax,
                 "unplaced": 100.0, "waiting": 0.01},
        sharing=True,
    )
    data.update(changes)
    return KoppelingInputs(**data)


def resource_inputs() -> KoppelingInputs:
    """The aggregated case with two named resources: children (singles 0, families 2) and
    wheelchair (singles 1, families 0); caps: G1 children 1, G2 wheelchair 0 (closed to
    singles), G3 children 2 and wheelchair 1; the open pairs as
    :func:`optimizer.koppeling.placement.open_pairs` gives them (only G2 for singles closed)."""
    usage = np.array([[0.0, 1.0], [2.0, 0.0]])
    cap = np.array([[1.0, NAN], [NAN, 0.0], [2.0, 1.0]])
    open_pairs = np.array([[True, False, True], [True, True, True]])
    return inputs(resources=["children", "wheelchair"], size_usage=usage, resource_cap=cap, open_pairs=open_pairs)


CASES = {
    "aggregated": lambda: build_model(inputs(), "aggregated"),
    "aggregated_minimax": lambda: build_model(inputs(minimax=5.0), "aggregated"),
    "per_household": lambda: build_model(inputs(minimax=5.0), "per_household"),
    "aggregated_resources": lambda: build_model(resource_inputs(), "aggregated"),
}
GOLDEN = Golden("koppeling", lambda case: CASES[case](),
                {"aggregated": None, "aggregated_minimax": "aggregated", "per_household": "aggregated_minimax",
                 "aggregated_resources": "aggregated"})


test_family_matches_golden_snapshot, test_every_active_constraint_family_has_a_golden_file = golden_tests(GOLDEN)


def test_every_constraint_family_of_the_model_is_in_a_case():
    """Every constraint the model code can create appears in some case (so has a snapshot)."""
    templates, missing = GOLDEN.coverage(koppeling.__file__)
    assert {"assign_unit", "assign_household", "link", "quota_oversize", "minimax_bound"} <= set(templates)
    assert not missing, f"constraint families no case exercises: {missing}"


def test_both_formulations_share_the_gemeente_families():
    agg, per = (set(families(GOLDEN.get(c))) for c in ("aggregated_minimax", "per_household"))
    assert agg - per == {"assign_unit", "zone_balance"}
    assert per - agg == {"assign_household"}


def perturbed(build) -> Golden:
    """The ``aggregated`` snapshots, compared against a model built by ``build()`` instead."""
    return Golden("koppeling", lambda case: build(), {"aggregated": None})


def test_changed_dwelling_capacity_fails_the_snapshot():
    """Perturb one input (one more class-3 dwelling in G1): the golden comparison of
    ``dwelling_capacity`` fails, that of a family that does not read dwellings still passes."""
    dwellings = inputs().dwellings.copy()
    dwellings[0, 2] += 1
    golden = perturbed(lambda: build_model(inputs(dwellings=dwellings)))
    with pytest.raises(AssertionError, match="aggregated/dwelling_capacity differs"):
        golden.check("aggregated", "dwelling_capacity", update=False)
    golden.check("aggregated", "quota_deviation", update=False)


def test_changed_algebra_fails_the_snapshot(monkeypatch):
    """Perturb the algebra (sharing in class-3 instead of class-2 dwellings): the golden
    comparison of ``dwelling_capacity`` fails."""
    monkeypatch.setattr(koppeling, "SHARED_CLASS", 3)
    with pytest.raises(AssertionError, match="aggregated/dwelling_capacity differs"):
        perturbed(lambda: build_model(inputs())).check("aggregated", "dwelling_capacity", update=False)
