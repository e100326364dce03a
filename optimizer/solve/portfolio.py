"""A portfolio of HiGHS runs on the idle cores: the same model from the same start, one run
per random seed, in parallel threads (HiGHS releases the GIL while it runs).

Why: in the hard regime of the koppeling model (1,000-4,000 households against 4-week pace)
the bound settles early and the gap is primal, and where HiGHS's branch-and-cut finds its
incumbents depends on its random seed far more than on any option (issue 13: the seed alone
spreads the 2,000-household gap after ~100 s from 0.20% to 0.98%). Two seeds on two cores
take the better of two draws, and each member's dual bound is a valid bound, so the portfolio
reports the best objective against the best bound.

**Which answer wins (deterministic).** Members are ordered by seed (``seed``, ``seed + 1``,
...). Each member runs single-threaded with its own seed, so each is deterministic when it ends
by its gap (or a node limit), not by the clock.

1. When member i proves the requested gap, every member after it (j > i) is stopped: it can
   no longer be the answer. Members before it keep running.
2. The answer is the *first member in seed order that proved the gap*. So whenever the first
   member (the plain single-seed run) proves the gap within the limit, the portfolio returns
   exactly its answer, byte for byte, whatever the others did.
3. When no member proved the gap (the time limit stopped them all), the answer is the member
   with the lowest objective, ties to the earlier seed; as with a single run, where a
   wall-clock limit stops HiGHS depends on the machine.

The bound reported is the best (highest) of the members' bounds and the gap is recomputed
against it (HiGHS's formula ``(objective - bound) / |objective|``). The result's ``options``
say what ran: ``portfolio`` lists every member's seed, status, objective, bound, gap, seconds
and nodes, ``winner_seed`` the seed whose solution is returned.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass, replace

import highspy
import numpy as np
import pyomo.environ as pyo

from optimizer.solve import highs
from optimizer.solve.highs import SolveResult, SolverOptions, Status

log = logging.getLogger(__name__)


#: Decision households from which ``portfolio`` not given means a second member (below, HiGHS
#: proves a weekly batch optimal in seconds and a second run would only compete for the core).
AUTO_MIN_HOUSEHOLDS = 1000


def default_members(households: int, threads: int = 1, cores: int | None = None) -> int:
    """Members when ``portfolio`` is not given: 2 for batches of :data:`AUTO_MIN_HOUSEHOLDS` or
    more when the machine has a core besides HiGHS's own ``threads`` (``os.cpu_count()``); else 1.

    The choice depends on the input and the machine, never on its momentary load, so the same
    input on the same machine runs the same configuration (a rule that looked at the load average
    would make the proposal depend on what else ran that minute). On a busy shared machine a
    second run only takes CPU from the first: give ``[solver] portfolio = 1`` there
    (measured: docs/performance.md)."""
    if households < AUTO_MIN_HOUSEHOLDS:
        return 1
    cores = cores if cores is not None else (os.cpu_count() or 1)
    return 2 if cores - threads >= 1 else 1


@dataclass
class Member:
    """One HiGHS run of the portfolio."""

    index: int
    seed: int
    options: SolverOptions
    highs: highspy.Highs | None = None
    seconds: float = 0.0
    stop: bool = False  # set by the portfolio: interrupt this run at HiGHS's next check

    def proved(self, rel_gap: float) -> bool:
        """Whether this run ended with the requested gap proven (HiGHS status optimal)."""
        return self.highs is not None and self.highs.getModelStatus() == highspy.HighsModelStatus.kOptimal \
            and self.highs.getInfo().mip_gap <= rel_gap + 1e-12

    def objective(self) -> float:
        """Objective of the solution this run holds (inf without one)."""
        if self.highs is None or self.highs.getInfo().primal_solution_status != 2:
            return float("inf")
        return float(self.highs.getInfo().objective_function_value)

    def bound(self) -> float:
        """Dual bound this run proved (-inf without one)."""
        if self.highs is None:
            return float("-inf")
        b = float(self.highs.getInfo().mip_dual_bound)
        return b if np.isfinite(b) else float("-inf")

    def record(self) -> dict:
        """For run.json: what this member did."""
        h = self.highs
        status = "not run" if h is None else h.modelStatusToString(h.getModelStatus())
        info = None if h is None else h.getInfo()
        return {"seed": self.seed, "status": status, "objective": _finite(self.objective()),
                "bound": _finite(self.bound()), "gap": None if info is None else _finite(info.mip_gap),
                "seconds": round(self.seconds, 3), "nodes": None if info is None else int(info.mip_node_count),
                "stopped_by_portfolio": self.stop}


def _finite(x: float) -> float | None:
    return float(x) if np.isfinite(x) else None


def _run_member(c: highs._Compiled, member: Member, start: list[float] | None, done: threading.Event) -> None:
    """Run one member to its end (gap, limit or the portfolio's stop) and signal ``done``."""
    t0 = time.perf_counter()
    try:
        h = highs.prepared(c, member.options.highs_settings(), start, member.options.verbose)
        h.cbMipInterrupt.subscribe(lambda e: e.interrupt() if member.stop else None)
        member.highs = h
        h.run()
    finally:
        member.seconds = time.perf_counter() - t0
        done.set()


def run_members(c: highs._Compiled, members: list[Member], start: list[float] | None, rel_gap: float) -> None:
    """Run ``members`` in parallel threads; stop those after a member that proved ``rel_gap``
    (module docstring, rule 1). Returns when every member has ended."""
    events = [threading.Event() for _ in members]
    threads = [threading.Thread(target=_run_member, args=(c, m, start, e), daemon=True)
               for m, e in zip(members, events)]
    for t in threads:
        t.start()
    finished: set[int] = set()
    while len(finished) < len(members):
        for m, e in zip(members, events):
            if m.index not in finished and e.wait(0.02):
                finished.add(m.index)
                if m.proved(rel_gap):
                    for later in members[m.index + 1:]:
                        later.stop = True
    for t in threads:
        t.join()


def winner(members: list[Member], rel_gap: float) -> Member | None:
    """The answer (module docstring, rules 2 and 3): the first member in seed order that proved
    the gap; else the lowest objective, ties to the earlier seed; None if no member has one."""
    for m in members:
        if m.proved(rel_gap) and not m.stop:
            return m
    best = min(members, key=lambda m: (m.objective(), m.index))
    return best if np.isfinite(best.objective()) else None


def solve(model: pyo.ConcreteModel, options: SolverOptions | None = None, members: int = 2,
          warm_start: bool = False) -> SolveResult:
    """Solve ``model`` with a portfolio of ``members`` HiGHS runs (seeds ``options.random_seed``,
    ``+1``, ...), each with ``options`` (threads, limits, gap), from the model's current values
    when ``warm_start``. One member is :func:`optimizer.solve.highs.solve` itself."""
    options = options or SolverOptions()
    if members <= 1:
        return highs.solve(model, options, warm_start=warm_start)
    c = highs._compile(model)
    if not c.is_int.any():  # an LP has one optimum: nothing to gain
        return highs.solve(model, options, warm_start=warm_start)
    start = [0.0 if v.value is None else float(v.value) for v in c.columns] if warm_start else None
    team = [Member(i, options.random_seed + i, replace(options, random_seed=options.random_seed + i))
            for i in range(members)]
    t0 = time.perf_counter()
    run_members(c, team, start, options.mip_rel_gap)
    seconds = time.perf_counter() - t0
    best = winner(team, options.mip_rel_gap)
    record = {**options.record(), "portfolio": [m.record() for m in team],
              "winner_seed": None if best is None else best.seed}
    result = None if best is None else highs.load_result(c, best.highs, best.options, seconds,
                                                          from_start=start is not None)
    if result is None:  # no member has a solution, or HiGHS returned its start's values
        log.info("portfolio: no usable member solution; a single run instead")
        return replace(highs.solve(model, options, warm_start=False), options=record)
    bound = max(m.bound() for m in team)
    if result.objective is None or not np.isfinite(bound) or (result.bound is not None and bound <= result.bound):
        return replace(result, options=record)
    gap = highs.relative_gap(result.objective, bound)
    status = Status.OPTIMAL if gap <= options.mip_rel_gap else result.status
    log.info("portfolio: seed %s wins with %.4f; best bound %.4f (gap %.4g)", best.seed, result.objective, bound, gap)
    return replace(result, bound=bound, gap=gap, status=status, options=record)
