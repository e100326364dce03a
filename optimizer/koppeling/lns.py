r"""Large-neighbourhood search: exact sub-MIPs over a few zones at a time, from a proposal.

Issue 13: on the national half-year with the convex quota term, RENS's proposal ends 0.8%
above the LP bound and the full MIP's root cuts raise that bound by only ~0.01%, so the gap is
primal (the RENS proposal's quota term is 1,105 points against the LP's 920; every other term is
within 0.1% of the LP's). HiGHS's own branch-and-cut from the RENS proposal found nothing better
within minutes; re-optimising a few zones at a time does.

**One step.** Choose a set :math:`S` of gemeenten (all gemeenten of :data:`ZONES_PER_STEP`
zones). Every integer variable of the model that touches no gemeente of S is fixed to its
value in the incumbent; the others stay free:

* ``assign_count[o]`` touches the gemeenten of its option (a zone option: every gemeente of
  the zone; a gemeente option: that gemeente);
* ``zone_flow[s, g]``, ``dwelling_use[g, k, d]``, ``dwelling_shared[g]`` and (per-household
  formulation) ``assign_pair[h, g]`` touch g.

Continuous variables (unplaced, deviations, quota segments, minimax) are never fixed: the
constraints determine them. So households outside S keep their gemeente and dwelling;
households in S may move within S, to "unplaced", or into S from "unplaced"; the sub-MIP is the
full model restricted to that neighbourhood, solved by HiGHS to optimality (or its node limit)
from the incumbent, which is feasible for it. A step never makes the incumbent worse: the
incumbent is kept unless the sub-MIP finds a strictly lower objective.

**The loop** (:func:`improve`): rounds of a random permutation of the zones (``numpy``
generator seeded with the solver's seed), cut into groups of :data:`ZONES_PER_STEP`; one step
per group; after a round without improvement the groups grow by one zone (up to
:data:`MAX_ZONES_PER_STEP`); until the deadline, or a round without improvement at the largest
groups. Every sub-MIP has a node
limit (:data:`SUB_NODE_LIMIT`), so a step's result does not depend on the machine's speed; how
many steps fit before the deadline does (as with HiGHS's own time limit).

**Hand-checkable**: ``tests/models/test_koppeling_lns_portfolio.py`` builds two zones of one gemeente each in
which the incumbent puts a household where it costs more; one step over both zones moves it.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

import numpy as np
import pyomo.environ as pyo

from models.koppeling import KoppelingInputs
from optimizer.solve import highs
from optimizer.solve.highs import SolverOptions

log = logging.getLogger(__name__)

#: Zones freed per step (a national half-year: 3 of 41 zones, ~200 households, 1-6 s per step).
ZONES_PER_STEP = 3
#: Branch-and-bound nodes per sub-MIP (most are solved at the root).
SUB_NODE_LIMIT = 200
#: A sub-MIP may use at most this many seconds (and never past the deadline).
SUB_TIME_CAP = 10.0
#: After a round without improvement the next round frees one zone more per step, up to this.
MAX_ZONES_PER_STEP = 6
#: Rounds without any improvement at the largest neighbourhood after which the loop stops
#: before its deadline.
IDLE_ROUNDS = 1
#: Decision households from which the search runs after RENS. Below, RENS is rare (``auto``
#: picks it for large mean targets) and the full MIP proves the batch: a search there only
#: spends time (a 150-household batch under ``rens``: 36 s of steps that the MIP did not need).
MIN_HOUSEHOLDS = 1000


@dataclass
class LnsRecord:
    """What the search did (for run.json)."""

    start_objective: float
    objective: float
    steps: int = 0
    improving_steps: int = 0
    rounds: int = 0
    seconds: float = 0.0
    history: list[tuple[float, float]] = field(default_factory=list)  # (seconds, objective) after each improvement
    zones_per_step: int = ZONES_PER_STEP  # at the end

    def record(self) -> dict:
        return {"method": "large-neighbourhood search, exact sub-MIPs over a few zones",
                "zones_per_step_at_the_end": self.zones_per_step,
                "start_objective": self.start_objective, "objective": self.objective, "steps": self.steps,
                "improving_steps": self.improving_steps, "rounds": self.rounds, "seconds": round(self.seconds, 3)}


def column_gemeenten(columns: list, inp: KoppelingInputs) -> list[np.ndarray | None]:
    """Per compiled column: the gemeenten its variable touches (module docstring), None for a
    continuous variable or one that touches none."""
    members = inp.zone_members()
    out: list[np.ndarray | None] = []
    for v in columns:
        if not (v.is_integer() or v.is_binary()):
            out.append(None)
            continue
        name, idx = v.parent_component().local_name, v.index()
        idx = idx if isinstance(idx, tuple) else (idx,)
        if name == "assign_count":
            o = int(idx[0])
            t = int(inp.opt_target[o])
            out.append(members[t] if inp.opt_is_zone[o] else np.array([t]))
        elif name in ("zone_flow", "assign_pair"):
            out.append(np.array([int(idx[1])]))
        elif name in ("dwelling_use", "dwelling_shared"):
            out.append(np.array([int(idx[0])]))
        else:
            out.append(None)
    return out


def free_mask(touch: list[np.ndarray | None], in_s: np.ndarray) -> np.ndarray:
    """Columns left free by a step over the gemeenten ``in_s`` (bool per gemeente)."""
    return np.array([t is not None and bool(in_s[t].any()) for t in touch], dtype=bool)


def step(c: highs._Compiled, x: np.ndarray, free: np.ndarray, options: SolverOptions,
         seconds: float) -> np.ndarray | None:
    """One exact sub-MIP: integer columns not in ``free`` fixed to ``x``; the solution if it
    is strictly better than ``x``, else None."""
    lo = np.asarray(c.lp.col_lower_, dtype=float).copy()
    up = np.asarray(c.lp.col_upper_, dtype=float).copy()
    fix = c.is_int & ~free
    lo[fix] = up[fix] = np.round(x[fix])
    settings = {"output_flag": False, "threads": 1, "random_seed": options.random_seed, "mip_rel_gap": 0.0,
                "mip_max_nodes": SUB_NODE_LIMIT, "time_limit": max(0.01, seconds)}
    h = highs.prepared(c, settings)
    h.changeColsBounds(len(lo), np.arange(len(lo), dtype=np.int32), lo, up)
    highs.set_start(h, x)
    h.run()
    if h.getInfo().primal_solution_status != 2:
        return None
    y = np.asarray(h.getSolution().col_value, dtype=float)
    y = np.where(c.is_int, np.round(y), y)
    return y if objective(c, y) < objective(c, x) - 1e-6 else None


def objective(c: highs._Compiled, x: np.ndarray) -> float:
    """The compiled model's objective at ``x``."""
    return float(np.dot(np.asarray(c.lp.col_cost_, dtype=float), x) + c.lp.offset_)


def improve(model: pyo.ConcreteModel, inp: KoppelingInputs, options: SolverOptions, deadline: float | None,
            max_rounds: int | None = None, zones_per_step: int = ZONES_PER_STEP) -> LnsRecord:
    """Improve the model's current values (a feasible solution) by exact sub-MIPs over
    ``zones_per_step`` zones at a time until ``deadline`` (``time.perf_counter()``) or a
    round without improvement (or ``max_rounds``); the best solution found is written back
    into the model's variables (module docstring)."""
    t0 = time.perf_counter()
    c = highs._compile(model)
    x = np.array([0.0 if v.value is None else float(v.value) for v in c.columns])
    rec = LnsRecord(start_objective=objective(c, x), objective=objective(c, x))
    touch = column_gemeenten(c.columns, inp)
    zones = np.unique(inp.zone_of)
    rng = np.random.default_rng(options.random_seed)
    idle, out_of_time, k = 0, False, zones_per_step
    largest = max(MAX_ZONES_PER_STEP, zones_per_step)
    while not out_of_time and idle < IDLE_ROUNDS and (max_rounds is None or rec.rounds < max_rounds):
        order = rng.permutation(zones)
        improved = False
        for i in range(0, len(order), k):
            left = None if deadline is None else deadline - time.perf_counter()
            if left is not None and left < 0.05:
                out_of_time = True
                break
            free = free_mask(touch, np.isin(inp.zone_of, order[i:i + k]))
            y = step(c, x, free, options, SUB_TIME_CAP if left is None else min(SUB_TIME_CAP, left))
            rec.steps += 1
            if y is not None:
                x, improved = y, True
                rec.improving_steps += 1
                rec.objective = objective(c, x)
                rec.history.append((time.perf_counter() - t0, rec.objective))
        rec.rounds += 1
        if improved:
            idle = 0
        elif k < largest:
            k += 1
        else:
            idle += 1
    rec.zones_per_step = k
    for var, val in zip(c.columns, x):
        var.set_value(float(val), skip_validation=True)
    rec.seconds = time.perf_counter() - t0
    log.info("LNS: %.4f -> %.4f in %d steps (%d improving, %d rounds), %.1f s", rec.start_objective, rec.objective,
             rec.steps, rec.improving_steps, rec.rounds, rec.seconds)
    return rec
