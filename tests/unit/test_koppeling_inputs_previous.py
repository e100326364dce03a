"""Options of a household with a previous proposal (``--previous``), built per unit in one
vectorised pass (``optimizer.koppeling.inputs``): checked against the rule written out by hand."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
from support.cases import A, B, C, validated_state
from support.checker import household_row

from optimizer.data import schemas
from optimizer.koppeling.inputs import build_inputs
from optimizer.koppeling.variant import load_variant

AS_OF = date(2025, 8, 1)


def test_previous_link_gives_gemeente_options_in_its_zone_and_zone_options_elsewhere():
    state = validated_state({A: {"target": 2, "c2": 1}, B: {"target": 1, "c1": 1}, C: {"target": 1, "c1": 1}})
    rows = [household_row("H1"), household_row("H2", tie_work_gm=C), household_row("H3")]
    households = schemas.validate_households(pd.DataFrame(rows), "households")
    ctx = build_inputs(households, state, load_variant("default"), previous=pd.Series({"H1": A, "H2": C}),
                       as_of=AS_OF)
    inp = ctx.inputs
    codes = list(state.index)
    a, c = codes.index(A), codes.index(C)
    n_zones = int(inp.zone_of.max()) + 1
    opts = inp.unit_options()
    # H1: every gemeente of A's zone open to a single (a dwelling for it: A and Stadskanaal) as
    # its own option, change 0 only at A; every other zone with an open gemeente one option
    # with change 1 (gemeenten without a dwelling give no option)
    u1 = int(inp.hh_unit[0])
    o1 = opts[u1]
    open_1 = inp.open_pairs[inp.unit_size[u1]]
    zone_a = np.flatnonzero((inp.zone_of == inp.zone_of[a]) & open_1)
    gem = o1[~inp.opt_is_zone[o1]]
    assert list(inp.opt_target[gem]) == list(zone_a) and codes.index(B) in inp.opt_target[gem]
    assert list(inp.opt_terms["change"][gem]) == [0.0 if g == a else 1.0 for g in zone_a]
    zon = o1[inp.opt_is_zone[o1]]
    open_zones = set(inp.zone_of[open_1])
    assert sorted(inp.opt_target[zon]) == [z for z in range(n_zones) if z != inp.zone_of[a] and z in open_zones]
    assert (inp.opt_terms["change"][zon] == 1.0).all()
    assert len(o1) == len(zon) + len(zone_a)
    # options come in zone order (gemeente options of a zone in ascending order)
    zone_seq = np.where(inp.opt_is_zone[o1], inp.opt_target[o1], inp.zone_of[inp.opt_target[o1]])
    assert (np.diff(zone_seq) >= 0).all()
    # H2 (hard work tie to C, previously at C): C only, without change or tie cost
    o2 = opts[int(inp.hh_unit[1])]
    assert list(inp.opt_target[o2]) == [c] and not inp.opt_is_zone[o2].any()
    assert inp.opt_terms["change"][o2][0] == 0.0 and inp.opt_terms["tie"][o2][0] == 0.0
    # H3 (no previous link): one zone option per zone with a gemeente open to it, no change
    o3 = opts[int(inp.hh_unit[2])]
    assert list(inp.opt_target[o3]) == sorted(open_zones) and inp.opt_is_zone[o3].all()
    assert (inp.opt_terms["change"][o3] == 0.0).all()
