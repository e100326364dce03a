r"""Large-neighbourhood search: exact sub-MIPs over a few zones at a time, from a proposal.

Issue 13: on the national half-year with the convex quota term, RENS's proposal ends 0.8%
above the LP bound and the full MIP's root cuts raise that bound by only ~0.01%, so the gap is
primal (the RENS proposal's quota term is 1,105 points against the LP's 920; every other term is
within 0.1% of the LP's). HiGHS's own branch-and-cut from the RENS proposal found nothing better
within minutes; re-optimising a few zones at a time does.

**One step.** Choose a set :math:`S` of gemeenten (all gemeenten of a group of zones, below)
Every integer variable of the model that touches no gemeente of S is fixed to its
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

**The loop** (:func:`search`; :func:`improve` on a Pyomo model): rounds over all zones cut into
groups of k zones (k from :func:`default_zones_per_step`: about :data:`HOUSEHOLDS_PER_STEP`
decision households a step; 3 zones for a 2,000-household 4-week batch, 1 for the national
half-year); one step per group; after a round without improvement the groups grow by one zone
(up to :data:`MAX_ZONES_PER_STEP`); until the deadline, or a round without improvement at the
largest groups. **Which zones go together** (:func:`guided_groups`, issue 13): with the LP
relaxation's values at hand, a transport plan per unit from where the incumbent has its
households to where the LP has them (:func:`disagreement`) says which zones exchange
households; each group starts from the zone with the largest disagreement left and adds the
zones it exchanges most with. Measured on the 2,000-household 4-week batch from the heuristic's
proposal (20 s, load ~4): 8,936 -> 8,703 with LP-guided groups, -> 8,760 with random groups
(``numpy`` generator seeded with the solver's seed, which still orders equal zones). Every
sub-MIP has a node limit (:data:`SUB_NODE_LIMIT`), so a step's result does not depend on the
machine's speed; how many steps fit before the deadline does (as with HiGHS's own time limit).
With a :class:`Shared` incumbent (:mod:`optimizer.koppeling.cooperative`) the search continues
from a better solution another search found, and offers each of its own.

**Hand-checkable**: ``tests/models/test_koppeling_lns_portfolio.py`` builds two zones of one gemeente each in
which the incumbent puts a household where it costs more; one step over both zones moves it.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

import highspy
import numpy as np
import pyomo.environ as pyo

from models.koppeling import KoppelingInputs
from optimizer.solve import highs
from optimizer.solve.highs import SolverOptions

log = logging.getLogger(__name__)

#: Zones freed per step (a national half-year: 3 of 41 zones, ~200 households, 1-6 s per step).
ZONES_PER_STEP = 3
#: Households a step should free (about): :func:`default_zones_per_step` frees as many zones as give
#: this many decision households on average. Measured from the heuristic's proposal, LP-guided
#: (load 3-4): 2,000 households 4-week (46 a zone) 3 zones 8,936 -> 8,715 in 20 s, 2 zones -> 8,786;
#: 4,000 households (93 a zone) 1 zone 0.4-0.9 s a step for 90-670 points, 2 zones 1-5.4 s for
#: 480-850; national (185 a zone) 1 zone.
HOUSEHOLDS_PER_STEP = 120
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
    history: list[tuple[float, float]] = field(default_factory=list)  # (seconds, objective) after each step
    zones_per_step: int = ZONES_PER_STEP  # at the end
    adopted: int = 0  # times the search continued from a better solution found by another search

    def record(self) -> dict:
        return {"method": "large-neighbourhood search, exact sub-MIPs over a few zones",
                "zones_per_step_at_the_end": self.zones_per_step,
                "start_objective": self.start_objective, "objective": self.objective, "steps": self.steps,
                "improving_steps": self.improving_steps, "adopted": self.adopted, "rounds": self.rounds, "seconds": round(self.seconds, 3)}


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


def option_zones(columns: list, inp: KoppelingInputs) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The ``assign_count`` columns: their positions, units and the zone each sends households to
    (a zone option: its zone; a gemeente option: the gemeente's zone)."""
    pos, unit, zone = [], [], []
    for i, v in enumerate(columns):
        if v.parent_component().local_name != "assign_count":
            continue
        o = int(v.index())
        t = int(inp.opt_target[o])
        pos.append(i)
        unit.append(int(inp.opt_unit[o]))
        zone.append(t if inp.opt_is_zone[o] else int(inp.zone_of[t]))
    return np.array(pos, dtype=int), np.array(unit, dtype=int), np.array(zone, dtype=int)


def relaxation(c: highs._Compiled, options: SolverOptions, seconds: float | None) -> np.ndarray | None:
    """The LP relaxation's optimal column values (None if HiGHS did not solve it in ``seconds``)."""
    settings = {"output_flag": False, "threads": 1, "random_seed": options.random_seed}
    if seconds is not None:
        settings["time_limit"] = max(0.01, seconds)
    h = highs.prepared(c, settings)
    n = len(c.columns)
    h.changeColsIntegrality(n, np.arange(n, dtype=np.int32),
                            np.full(n, highspy.HighsVarType.kContinuous, dtype=np.uint8))
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    return np.asarray(h.getSolution().col_value, dtype=float)


def disagreement(x: np.ndarray, x_lp: np.ndarray, opt: tuple[np.ndarray, np.ndarray, np.ndarray],
                 n_zones: int) -> np.ndarray:
    r"""How many households the incumbent ``x`` sends from zone a where the LP relaxation
    ``x_lp`` sends them to zone b: :math:`D_{ab} = \sum_u e_u(a)\, l_u(b) / \max(\sum_z e_u(z), \sum_z l_u(z))`,
    with :math:`e_u` the incumbent's excess of unit u over the LP per zone and :math:`l_u` the
    LP's excess over the incumbent (a transport plan of unit u from where it is to where the
    LP has it, spread proportionally). Zones with large rows and columns are where moving
    households towards the LP's picture pays."""
    pos, unit, zone = opt
    n_units = int(unit.max()) + 1 if len(unit) else 0
    inc = np.zeros((n_units, n_zones))
    lp = np.zeros((n_units, n_zones))
    np.add.at(inc, (unit, zone), x[pos])
    np.add.at(lp, (unit, zone), x_lp[pos])
    e, ell = np.maximum(inc - lp, 0.0), np.maximum(lp - inc, 0.0)
    total = np.maximum(np.maximum(e.sum(axis=1, keepdims=True), ell.sum(axis=1, keepdims=True)), 1e-9)
    return (e / total).T @ ell


def guided_groups(d: np.ndarray, zones: np.ndarray, k: int, rng: np.random.Generator) -> list[np.ndarray]:
    """The zones cut into groups of ``k``: each group starts from the zone left with the largest
    disagreement (row + column of ``d``) and adds the zones it exchanges most with; zones without
    any disagreement follow in random order."""
    sym = d + d.T
    left = list(rng.permutation(zones))
    score = {int(z): float(sym[z].sum()) for z in zones}
    groups = []
    while left:
        seed = max(left, key=lambda z: (score[int(z)], -left.index(z)))
        group = [seed]
        left.remove(seed)
        while len(group) < k and left:
            link = [float(sym[group, z].sum()) for z in left]
            best = int(np.argmax(link))  # the first of equals: the random order decides ties
            group.append(left.pop(best))
        groups.append(np.array(group))
    return groups


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
    return y if highs.objective_value(c, y) < highs.objective_value(c, x) - 1e-6 else None


class Shared:
    """The best solution known to several searches running at once (thread-safe): each offers
    what it finds and takes the best before its next step. ``stop`` asks every search to end."""

    def __init__(self, c: highs._Compiled, x: np.ndarray):
        self.c = c
        self.x = x
        self.value = highs.objective_value(c, x)
        self.source = "start"
        self.stop = threading.Event()
        self._lock = threading.Lock()

    def offer(self, x: np.ndarray, source: str) -> bool:
        """Keep ``x`` (one value per column) if its objective is strictly lower than the best."""
        value = highs.objective_value(self.c, x)
        with self._lock:
            if value < self.value - 1e-6:
                self.x, self.value, self.source = x, value, source
                return True
        return False

    def best(self) -> tuple[np.ndarray, float]:
        with self._lock:
            return self.x, self.value


def search(c: highs._Compiled, x: np.ndarray, inp: KoppelingInputs, options: SolverOptions,
           deadline: float | None, max_rounds: int | None = None, zones_per_step: int | None = None,
           x_lp: np.ndarray | None = None, shared: Shared | None = None) -> tuple[np.ndarray, LnsRecord]:
    """The loop of :func:`improve` on a compiled model from the feasible column values ``x``:
    the best values found and the record. With ``x_lp`` (the LP relaxation's values) the zones
    are grouped by :func:`guided_groups`, else at random. With ``shared``, before each step the
    search continues from the shared best if it is better than its own, offers each
    improvement, and ends when ``shared.stop`` is set."""
    t0 = time.perf_counter()
    rec = LnsRecord(start_objective=highs.objective_value(c, x), objective=highs.objective_value(c, x))
    touch = column_gemeenten(c.columns, inp)
    zones = np.unique(inp.zone_of)
    rng = np.random.default_rng(options.random_seed)
    opt = option_zones(c.columns, inp)
    n_zones = int(zones.max()) + 1
    k = default_zones_per_step(inp) if zones_per_step is None else zones_per_step
    idle, out_of_time, largest = 0, False, max(MAX_ZONES_PER_STEP, k)
    while not out_of_time and idle < IDLE_ROUNDS and (max_rounds is None or rec.rounds < max_rounds):
        if x_lp is not None:
            groups = guided_groups(disagreement(x, x_lp, opt, n_zones), zones, k, rng)
        else:
            order = rng.permutation(zones)
            groups = [order[i:i + k] for i in range(0, len(order), k)]
        improved = False
        for group in groups:
            left = None if deadline is None else deadline - time.perf_counter()
            if (left is not None and left < 0.05) or (shared is not None and shared.stop.is_set()):
                out_of_time = True
                break
            if shared is not None:
                other, value = shared.best()
                if value < highs.objective_value(c, x) - 1e-6:
                    x, improved = other, True
                    rec.adopted += 1
            free = free_mask(touch, np.isin(inp.zone_of, group))
            y = step(c, x, free, options, SUB_TIME_CAP if left is None else min(SUB_TIME_CAP, left))
            rec.steps += 1
            if y is not None:
                x, improved = y, True
                rec.improving_steps += 1
                if shared is not None:
                    shared.offer(y, "lns")
            rec.objective = highs.objective_value(c, x)
            rec.history.append((time.perf_counter() - t0, rec.objective))
        rec.rounds += 1
        if improved:
            idle = 0
        elif k < largest:
            k += 1
        else:
            idle += 1
    rec.zones_per_step = k
    rec.seconds = time.perf_counter() - t0
    return x, rec


def default_zones_per_step(inp: KoppelingInputs) -> int:
    """Zones a step frees to start with: :data:`HOUSEHOLDS_PER_STEP` over the mean decision
    households a zone, between 1 and :data:`MAX_ZONES_PER_STEP`."""
    n_zones = max(1, len(np.unique(inp.zone_of)))
    per_zone = max(len(inp.hh_unit) / n_zones, 1.0)
    return int(min(max(round(HOUSEHOLDS_PER_STEP / per_zone), 1), MAX_ZONES_PER_STEP))


def improve(model: pyo.ConcreteModel, inp: KoppelingInputs, options: SolverOptions, deadline: float | None,
            max_rounds: int | None = None, zones_per_step: int | None = None, guide: bool = True) -> LnsRecord:
    """Improve the model's current values (a feasible solution) by exact sub-MIPs over
    ``zones_per_step`` zones at a time until ``deadline`` (``time.perf_counter()``) or a
    round without improvement (or ``max_rounds``); the best solution found is written back
    into the model's variables (module docstring). ``guide``: group the zones by their
    disagreement with the LP relaxation (solved first), else at random."""
    c = highs._compile(model)
    x = np.array([0.0 if v.value is None else float(v.value) for v in c.columns])
    x_lp = relaxation(c, options, None if deadline is None else deadline - time.perf_counter()) if guide else None
    x, rec = search(c, x, inp, options, deadline, max_rounds, zones_per_step, x_lp)
    for var, val in zip(c.columns, x):
        var.set_value(float(val), skip_validation=True)
    log.info("LNS: %.4f -> %.4f in %d steps (%d improving, %d rounds), %.1f s", rec.start_objective, rec.objective,
             rec.steps, rec.improving_steps, rec.rounds, rec.seconds)
    return rec
