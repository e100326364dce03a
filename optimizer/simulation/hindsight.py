"""The hindsight optimum: the koppeling model over the whole half-year at once, everything known.

All households of the period (every dossier complete, as it will be), the referent rows as
context, every gemeente's half-year target :math:`T_g` (the ``whole-period`` rule) and every
dwelling released in the period, :math:`\\sum_w R_{w,g,k}`, solved once by the engine's stages
(``inputs`` -> ``optimise``) with ``as_of`` the last day of the period.

Every policy's half-year of links is a feasible solution of this model: the same households
and hard rules, and a policy only uses dwellings released by then. So the hindsight optimum's
objective (and HiGHS's proven bound below it) is never worse than the objective of any
policy's links evaluated in the same model (:func:`evaluate_links`, the engine's one
evaluator :func:`optimizer.koppeling.objective.evaluate`) — the test of that property is in
``tests/simulation``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from optimizer.koppeling.extract import Solution
from optimizer.koppeling.inputs import Context
from optimizer.koppeling.objective import Assignment, Evaluation, evaluate
from optimizer.koppeling.variant import Variant
from optimizer.rules.dwellings import DWELLING_COLUMNS
from optimizer.simulation.policies import engine_proposal, solution_links
from optimizer.simulation.scenario import World
from optimizer.solve.highs import SolverOptions


@dataclass
class Hindsight:
    """The solved hindsight model: its context, solution, links, objective and bound."""

    ctx: Context
    solution: Solution | None
    links: pd.DataFrame
    objective: float
    bound: float


def hindsight_frames(world: World) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(households, state) of the whole half-year."""
    hh = world.households.copy()
    hh["has_bsn"] = True
    hh["has_iban"] = True
    state = pd.DataFrame(index=pd.Index(world.gemeenten, name="gm_code"))
    state["target"] = world.target.reindex(state.index).astype(float)
    total = world.release.sum(axis=0)
    for k, c in enumerate(DWELLING_COLUMNS):
        state[c] = total[:, k].astype(np.int64)
    state["housing_pressure"] = world.pressure.reindex(state.index).astype(float).to_numpy()
    state["cap_persons"] = pd.array([pd.NA] * len(state), dtype="Float64")
    state["cap_households"] = pd.array([pd.NA] * len(state), dtype="Int64")
    return hh, state


def hindsight_context(world: World, variant: Variant, options: SolverOptions, solve: bool = True) -> Hindsight:
    """The hindsight model of ``world``; solved when ``solve`` (else only its context, to
    evaluate policies in it)."""
    from optimizer.koppeling import run as koppeling

    hh, state = hindsight_frames(world)
    if solve:
        ctx, sol = engine_proposal(hh, state, variant, world.period.end, options)
        if sol is None:
            return Hindsight(ctx, None, solution_links(ctx, None), 0.0, 0.0)
        r = sol.result
        bound = float(r.bound) if r is not None and r.bound is not None else float(sol.objective)
        return Hindsight(ctx, sol, solution_links(ctx, sol), float(sol.objective), min(bound, float(sol.objective)))
    cfg = koppeling.ProposeConfig(households=hh, state=state, out="-", as_of=world.period.end, make_map=False)
    data = koppeling.Validated(households=hh, state=state, variant=variant, locks=None, previous=None, scores=None,
                               boundaries=None)
    ctx = koppeling.inputs(cfg, data)
    return Hindsight(ctx, None, solution_links(ctx, None), float("nan"), float("nan"))


def assignment(ctx: Context, links: pd.DataFrame) -> Assignment:
    """The links as an assignment of the hindsight model (model order; -1 not linked)."""
    pos = {g: i for i, g in enumerate(ctx.inputs.gemeenten)}
    by_id = links.set_index("household_id")
    ids = ctx.households.index
    gm = by_id["gm_code"].reindex(ids)
    gem = np.array([pos[g] if isinstance(g, str) else -1 for g in gm], dtype=int)
    dcls = by_id["dwelling_class"].reindex(ids).fillna(0).astype(int).to_numpy()
    shared = by_id["shared"].reindex(ids).fillna(False).astype(bool).to_numpy()
    return Assignment(gemeente=gem, dwelling_class=np.where(gem >= 0, dcls, 0), shared=shared & (gem >= 0))


def evaluate_links(ctx: Context, links: pd.DataFrame) -> Evaluation:
    """Every term of the hindsight model for ``links`` (the engine's one evaluator)."""
    return evaluate(ctx.inputs, assignment(ctx, links))


def labour_score(ctx: Context, links: pd.DataFrame) -> float:
    """Expected employed adults of the linked households in their gemeente's arbeidsmarktregio
    (the engine's employment score, ``optimizer.koppeling.scoring``)."""
    if links.empty:
        return 0.0
    amr = ctx.gemeenten["amr_code"]
    cols = amr.reindex(links["gm_code"]).to_numpy()
    rows = ctx.scores.index.get_indexer(links["household_id"])
    c = ctx.scores.columns.get_indexer(cols)
    return float(ctx.scores.to_numpy()[rows, c].sum())
