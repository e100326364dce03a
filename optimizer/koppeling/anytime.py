"""A good answer at any time limit: the heuristic start, HiGHS from it, and the command's clock.

The time limit (``--time-limit``, variant ``[solver] time_limit``) is for the **whole
command**, measured from its start (:data:`optimizer.STARTED` for the CLI): reading, inputs,
building, the heuristic, HiGHS, extraction, explanations and writing. The solve gets what is
left after a reserve for what comes after it (:func:`reserve_seconds`, a measured linear model
of extraction, explanations and writing; ``docs/performance.md``). Within the solve:

1. the primal heuristic (:mod:`optimizer.koppeling.heuristic`) gets a share of the solve time
   (:func:`heuristic_budget`) and always returns a complete feasible proposal;
2. HiGHS (plain MIP or LP + RENS) starts from it with the time that remains. For batches of
   :data:`optimizer.koppeling.lns.MIN_HOUSEHOLDS` decision households or more on the plain MIP
   (:func:`use_cooperative`: ``SolverOptions.cooperative``, by default on for the plain MIP and
   off for LP + RENS), HiGHS and a large-neighbourhood search of exact sub-MIPs over a few zones
   at a time (:mod:`optimizer.koppeling.lns`) run side by side and share the incumbent
   (:mod:`optimizer.koppeling.cooperative`): HiGHS gives the bound, both give solutions.
   Otherwise HiGHS alone (after RENS the search as a stage of
   :func:`optimizer.solve.strategies.solve_rens`), every full MIP as a portfolio of
   ``SolverOptions.portfolio`` seeds in parallel (:mod:`optimizer.solve.portfolio`);
3. the better of the two is kept: the answer is never worse than the heuristic's (HiGHS's own
   gap and bound are kept; when the heuristic's proposal wins, the gap is recomputed against
   HiGHS's bound).

When no time is left for HiGHS (less than :data:`MIN_SOLVER_SECONDS`) the heuristic's proposal
is the answer, with status ``feasible``, limit ``time_limit`` and the weak but proven bound of
:func:`quick_bound` (its gap stated).
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import pyomo.environ as pyo

from models.koppeling import KoppelingInputs, quota_cost
from optimizer.core.errors import InputError, Violation
from optimizer.koppeling import cooperative, heuristic, lns
from optimizer.solve import highs, portfolio, strategies
from optimizer.solve.highs import SolveResult, SolverOptions, Status

log = logging.getLogger(__name__)

#: Share of the solve time given to the heuristic, and its cap in seconds: a base plus a little
#: per household. Before the plain MIP (small targets: HiGHS's own primal side is weak, and the
#: swaps of the local search take a 2,000-household 4-week batch from 10,899 to 7,422 in ~3 s
#: CPU, the LP bound being 6,682) the cap is generous; before LP + RENS (large targets: RENS
#: finds a near-optimal proposal itself and the heuristic is only the fallback) it is small.
HEURISTIC_SHARE = 0.25
HEURISTIC_CAP = {"mip": (0.5, 0.002, 10.0), "rens": (0.25, 0.0003, 3.0)}  # base s, s per household, max s

#: Below this many seconds left, HiGHS is not started: the heuristic's proposal is the answer.
MIN_SOLVER_SECONDS = 0.2
#: Reserve after the solve (extract, explain, write tables, map, run.json): fixed seconds +
#: seconds per household (explain, and each output format) + the map + the report. Calibrated
#: after the bulk explain/write paths (branch ``large``, 2026-11-29, docs/performance.md): after
#: the solve, CPU seconds (the machine was loaded; wall equals CPU on a quiet one) national
#: 8,414 households in the file 7.1 s (extract 0.4, explain 2.2-2.3, write 4.5-4.9) and 33,672
#: households 16.8-18.6 s (0.6 + 3.4-5.2 + 12.8-14.3), i.e. 0.0007 and 0.0005 s a household
#: above the fixed 1.3 s; the constants below give 0.0009 a household (national ~8.9 s; before:
#: 0.0014, with explain 0.0006 and the report's household sheet 0.0005, now only up to 5,000
#: households: optimizer.koppeling.report.XLSX_HOUSEHOLDS).
RESERVE_FIXED = 0.3
RESERVE_EXPLAIN_PER_HOUSEHOLD = 0.0003
RESERVE_PER_HOUSEHOLD = {"csv": 0.0001, "xlsx": 0.0002}
RESERVE_MAP = 1.0
RESERVE_REPORT = 1.0
RESERVE_REPORT_PER_HOUSEHOLD = 0.0003
#: Seconds per household that reading, inputs, building and the heuristic need whatever the
#: time limit, and the peak memory per household (MB) above a fixed base. A batch whose estimate
#: exceeds the time limit (or the memory available) is refused before anything is built.
#: Quiet machine, 2026-11-29: before the solve (imports ~1.5 s included) national 7,599
#: households 8.4 s, 33,672 households 22.9 s, i.e. 0.0008 and 0.0006 s a household above the base.
#: Branch ``large`` took ~0.7 s (national) and ~4 s (33,672) off input building; kept.
FIXED_PER_HOUSEHOLD = 0.0009
FIXED_BASE = 2.5
#: A command ends within its time limit plus at most this many seconds of work besides the
#: solve (estimated as above), or it is refused up front.
MAX_OVERHEAD_SECONDS = 30.0
#: The reserve is scaled by the measured slowdown of the work before the solve, at most this.
MAX_SLOWDOWN = 10.0
MEMORY_BASE_MB = 350.0
MEMORY_PER_HOUSEHOLD_MB = 0.03


def reserve_seconds(households: int, formats: tuple[str, ...] = ("csv", "xlsx"), make_map: bool = True,
                    report: bool = True) -> float:
    """Seconds kept back from the time limit for extraction, explanations and writing."""
    per = RESERVE_EXPLAIN_PER_HOUSEHOLD + sum(RESERVE_PER_HOUSEHOLD.get(f, 0.0004) for f in formats)
    extra = (RESERVE_MAP if make_map else 0.0) + (RESERVE_REPORT + RESERVE_REPORT_PER_HOUSEHOLD * households
                                                  if report else 0.0)
    return RESERVE_FIXED + per * households + extra


def _available_memory_mb() -> float | None:
    """MemAvailable of /proc/meminfo in MB (None where unknown)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


@dataclass
class CommandClock:
    """The time limit of a whole command, from its start: what the solve may use."""

    start: float  # time.perf_counter() at the command's start
    limit: float | None  # seconds for the whole command; None: no limit
    households: int
    formats: tuple[str, ...] = ("csv", "xlsx")
    make_map: bool = True
    report: bool = True
    used_slowdown: float = 1.0

    @property
    def reserve(self) -> float:
        return reserve_seconds(self.households, self.formats, self.make_map, self.report)

    def estimate(self) -> float:
        """Seconds the command needs besides the solve (module constants)."""
        return FIXED_BASE + FIXED_PER_HOUSEHOLD * self.households + self.reserve

    def slowdown(self, now: float | None = None) -> float:
        """How much slower than estimated the work before the solve went (1 to 10): on a loaded
        machine the reserve after the solve is scaled by it."""
        now = time.perf_counter() if now is None else now
        expected = FIXED_BASE + FIXED_PER_HOUSEHOLD * self.households
        return min(max(1.0, (now - self.start) / expected), MAX_SLOWDOWN)

    def solve_deadline(self, now: float | None = None) -> float | None:
        """``time.perf_counter()`` by which the solve must end (None: no limit): the limit less
        the reserve, scaled by :meth:`slowdown` (recorded in :attr:`used_slowdown`)."""
        self.used_slowdown = self.slowdown(now)
        return None if self.limit is None else self.start + self.limit - self.reserve * self.used_slowdown

    def check_size(self, name: str) -> None:
        """Refuse (exit 2) a batch that cannot finish within the limit, or not fit in memory."""
        need = self.estimate()
        if self.limit is not None and need > self.limit + MAX_OVERHEAD_SECONDS:
            raise InputError(Violation(name, f"{self.households:,} households need about {need:.0f} s for reading, "
                                             f"building and writing alone (docs/performance.md), more than the time "
                                             f"limit of {self.limit:g} s allows (plus {MAX_OVERHEAD_SECONDS:g} s): "
                                             f"give --time-limit {math.ceil(need)} "
                                             "or more, or split the batch", value=self.households))
        memory = MEMORY_BASE_MB + MEMORY_PER_HOUSEHOLD_MB * self.households
        available = _available_memory_mb()
        if available is not None and memory > available:
            raise InputError(Violation(name, f"{self.households:,} households need about {memory:,.0f} MB of memory; "
                                             f"{available:,.0f} MB is available: split the batch",
                                       value=self.households))

    def record(self) -> dict:
        """For run.json: the limit and how it was split."""
        return {"limit": self.limit, "reserve_after_solve": round(self.reserve * self.used_slowdown, 3),
                "slowdown": round(self.used_slowdown, 2),
                "estimate_besides_solve": round(self.estimate(), 3),
                "measured_from": "command start (process start for the CLI)"}


def heuristic_budget(solve_seconds: float | None, households: int, strategy: str = "mip") -> float:
    """Seconds for the heuristic: a share of the solve time, capped by its size (constants above)."""
    base, per, most = HEURISTIC_CAP.get(strategy, HEURISTIC_CAP["mip"])
    cap = min(base + per * households, most)
    return cap if solve_seconds is None else max(0.0, min(HEURISTIC_SHARE * solve_seconds, cap))


def quick_bound(inp: KoppelingInputs) -> float | None:
    r"""A valid lower bound on the objective without solving anything (for a proposal HiGHS had
    no time for): every household at its cheapest own cost or unplaced,
    :math:`\sum_h \min(\min_g c_{u(h),g}, c^{unpl}_h)`, plus the quota term's shortfall of
    every gemeente that no household may go to (:math:`C_g(0)`, convex form; :math:`T_g/\sigma_g`
    linear). Valid because every other term (quota and pressure elsewhere, size_fit, sharing,
    minimax) is at least 0 when its weight is; None if a weight is negative (not from a
    variant file, which rejects them). Weak (it ignores where the quota is met), but proven."""
    w = inp.weights
    if any(w.get(t, 0.0) < 0 for t in ("quota", "pressure", "size_fit", "sharing", "minimax")):
        return None
    own, _ = inp.own_cost
    unit_best = own.min(axis=1) if own.shape[1] else np.full(own.shape[0], np.inf)
    households = float(np.minimum(unit_best[inp.hh_unit], inp.unplaced_cost).sum()) if len(inp.hh_unit) else 0.0
    unreachable = ~np.isfinite(own).any(axis=0) if own.shape[0] else np.ones(inp.n_gemeenten, dtype=bool)
    if inp.quota_form == "convex":
        short = sum(quota_cost(inp, int(g), 0.0) for g in np.flatnonzero(unreachable))
    else:
        short = float((inp.target[unreachable] / inp.scale[unreachable]).sum())
    return households + w.get("quota", 0.0) * short


def _heuristic_result(start: heuristic.Proposal, options: SolverOptions, limit: str | None) -> SolveResult:
    """A result for the heuristic's proposal alone (HiGHS not run): no bound of its own
    (:func:`keep_better` adds :func:`quick_bound`'s)."""
    version = highs.solver_version()  # recorded although HiGHS did not run
    return SolveResult(status=Status.FEASIBLE, solver_status="heuristic", solver=f"{version} (not run: no time left)",
                       objective=start.objective, bound=None, gap=None, compile_seconds=0.0, solve_seconds=0.0,
                       n_variables=0, n_integer=0, n_constraints=0, n_nonzeros=0, node_count=None,
                       options=options.record(), limit=limit, version=version.removeprefix("HiGHS "))


def keep_better(model: pyo.ConcreteModel, inp: KoppelingInputs, start: heuristic.Proposal,
                result: SolveResult) -> SolveResult:
    """HiGHS's result, or the heuristic's proposal (written back into ``model``) if HiGHS found
    nothing better; either way with the heuristic's record in ``start``. A result without a
    bound (stopped before any was proven) gets :func:`quick_bound`'s, so a gap is stated."""
    if result.bound is None and (bound := quick_bound(inp)) is not None:
        objective = result.objective if result.has_solution and result.objective is not None else None
        result = replace(result, bound=bound, gap=None if objective is None else highs.relative_gap(objective, bound))
    improved = result.has_solution and result.objective is not None and result.objective <= start.objective + 1e-6
    record = {**start.record(), "improved_by_solver": bool(improved and result.objective < start.objective - 1e-6)}
    if improved:
        return replace(result, start=record)
    heuristic.to_model(model, inp, start.assignment)
    gap = None
    if result.bound is not None:
        gap = highs.relative_gap(start.objective, result.bound)
    status = Status.OPTIMAL if gap is not None and gap <= result.options.get("mip_rel_gap", 0.0) else Status.FEASIBLE
    log.info("HiGHS found nothing better than the heuristic (%s); keeping the heuristic's proposal", result.objective)
    return replace(result, status=status, objective=start.objective, gap=gap, start=record,
                   solver_status=f"heuristic ({result.solver_status})")


def solve(model: pyo.ConcreteModel, inp: KoppelingInputs, formulation: str, options: SolverOptions,
          strategy: Literal["mip", "rens"] = "mip", deadline: float | None = None) -> SolveResult:
    """Heuristic start, then HiGHS until ``deadline`` (``time.perf_counter()``; default: the
    options' time limit from now), keeping the better answer (module docstring)."""
    t0 = time.perf_counter()
    if deadline is None and options.time_limit is not None:
        deadline = t0 + options.time_limit
    total = None if deadline is None else max(0.0, deadline - t0)
    start = heuristic.propose(inp, heuristic_budget(total, len(inp.hh_unit), strategy))
    log.info("heuristic: objective %.4f, %d linked, %.2f s", start.objective, start.linked, start.seconds)
    heuristic.to_model(model, inp, start.assignment)
    left = None if deadline is None else deadline - time.perf_counter()
    if left is not None and left < MIN_SOLVER_SECONDS:
        return keep_better(model, inp, start, _heuristic_result(start, options, "time_limit"))
    opts = replace(options, time_limit=left)
    if use_cooperative(options, len(inp.hh_unit), strategy):
        result = cooperative.solve(model, inp, opts, strategy, deadline)
        record = {**result.options, **_limit_record(options), "portfolio_members": 1}
        return keep_better(model, inp, start, replace(result, options=record))
    members = options.portfolio or portfolio.default_members(len(inp.hh_unit), options.threads)

    def full_mip(m: pyo.ConcreteModel, o: SolverOptions, warm_start: bool = False) -> SolveResult:
        return portfolio.solve(m, o, members=members, warm_start=warm_start)

    if strategy == "rens":
        restrict = [model.assign_count] if formulation == "aggregated" else [model.assign_pair]
        improve = None if len(inp.hh_unit) < lns.MIN_HOUSEHOLDS else (
            lambda deadline: _improve(model, inp, opts, start, deadline))
        result = strategies.solve_rens(model, opts, restrict=restrict, warm_start=True, full_mip=full_mip,
                                       improve=improve)
    else:
        result = full_mip(model, opts, warm_start=True)
    record = {**result.options, **_limit_record(options), "portfolio_members": members}
    return keep_better(model, inp, start, replace(result, options=record))


def use_cooperative(options: SolverOptions, households: int, strategy: str) -> bool:
    """Whether HiGHS and the search run side by side (:mod:`optimizer.koppeling.cooperative`):
    only for :data:`optimizer.koppeling.lns.MIN_HOUSEHOLDS` decision households or more and no
    explicit seed portfolio; ``options.cooperative`` if given, else on for the plain MIP and off
    for LP + RENS. Measured (docs/performance.md, branch ``midsize``): on the 4-week batches the
    side-by-side search roughly halves the gap at 30 s and keeps HiGHS within its limit; on the
    national half-year under load its RENS found nothing within 30 s twice (the heuristic's
    proposal, 14.75%) where RENS alone reached 2.1-2.4%, so the sequential path stays the
    default there."""
    if households < lns.MIN_HOUSEHOLDS or options.portfolio is not None:
        return False
    return options.cooperative if options.cooperative is not None else strategy == "mip"


def _improve(model: pyo.ConcreteModel, inp: KoppelingInputs, options: SolverOptions, start: heuristic.Proposal,
             deadline: float | None) -> dict:
    """The large-neighbourhood search (:mod:`optimizer.koppeling.lns`) from the better of the
    model's current solution (RENS's) and the heuristic's proposal; its record."""
    if pyo.value(model.objective) > start.objective + 1e-6:
        heuristic.to_model(model, inp, start.assignment)
    return lns.improve(model, inp, options, deadline).record()


def _limit_record(options: SolverOptions) -> dict:
    """The time limit as asked (the solve itself got what was left of it)."""
    return {"time_limit": options.time_limit}
