r"""HiGHS and the large-neighbourhood search side by side, one core each, sharing the incumbent.

Issue 13: from ~2,000 households at 4-week pace HiGHS's bound settles at the root within ~15 s
but its primal side stalls (0 branch-and-bound nodes in 30 s; whether its root heuristics find
anything depends on the random seed: month 1.42% with seed 1, 4.5% with seed 0), and on the
national half-year the RENS sub-MIP took the whole 30 s so the search after it never ran. The
two halves of the gap come from different places: the bound from HiGHS's root (LP + cuts),
the incumbent from exact sub-MIPs over a few zones (:mod:`optimizer.koppeling.lns`). So they
run at the same time:

* **HiGHS thread.** ``mip``: the full MIP from the heuristic's proposal, its dual bound valid
  throughout. ``rens``: the RENS sub-MIP (integer ``assign_count`` / ``assign_pair`` columns
  bounded to ``[floor, ceil]`` of their LP values, gap ``mip_rel_gap / 3``); its bound is not
  one of the full model, the LP optimum is. Every improving solution HiGHS finds
  (``cbMipImprovingSolution``) is offered to the shared incumbent (:class:`lns.Shared`).
* **Main thread.** The LP relaxation (the zones' guide; for ``mip`` solved while HiGHS runs its
  own), then :func:`lns.search` from the shared best: before each step it continues from the
  shared best if HiGHS found a better one; each improvement is offered back. When the search
  idles (a round without improvement at its largest neighbourhood) it waits for HiGHS to find
  something better, and searches again from it. Under ``rens`` the search starts only from
  RENS's first solution better than the heuristic's (or when RENS ends): at national scale the
  search from the heuristic's proposal gains ~500 points in 30 s, RENS ~4,000, and on a busy
  machine the search would only take CPU from RENS.

**When it ends.** At the deadline; or when HiGHS ends by proving its gap (``mip``; its answer is
returned, exactly what HiGHS alone returns, whatever the search found); or when the shared best
is within ``mip_rel_gap`` of the best valid bound known (the LP optimum, and for ``mip``
HiGHS's dual bound as its callbacks report it); or when both halves have nothing left to do.
HiGHS is then interrupted (:func:`_interrupt`; a HiGHS run that checks nothing for a while is
left to end on its own after :data:`ABANDON_SECONDS`, and nothing of it is read but what its
callbacks saw), so the time limit holds even when HiGHS spends a minute in one root cut round.

**The answer** is the shared best (or HiGHS's proof, above) with the best valid bound: ``bound``
= max(LP optimum, HiGHS's dual bound for ``mip``), ``gap`` = (objective - bound) / objective
(HiGHS's formula), status ``optimal`` when the gap is within ``mip_rel_gap``. The incumbent only
improves from the heuristic's proposal, so the answer is never worse than it.

**Determinism.** Each LNS step has a node limit and HiGHS runs single-threaded with a fixed
seed, so each half alone is deterministic; where the two exchange solutions, *when* an exchange
happens depends on the machine's speed, as does how far each gets before the deadline (as with
HiGHS's own time limit). When HiGHS proves the gap on its own the answer is its answer, byte for
byte. ``SolverOptions.portfolio`` given explicitly selects the older seed portfolio instead
(:mod:`optimizer.solve.portfolio`).
"""

from __future__ import annotations

import logging
import math
import threading
import time
from dataclasses import dataclass, field
from typing import Literal

import highspy
import numpy as np
import pyomo.environ as pyo

from models.koppeling import KoppelingInputs
from optimizer.koppeling import lns
from optimizer.solve import highs
from optimizer.solve.highs import SolveResult, SolverOptions, Status

log = logging.getLogger(__name__)

#: Integer columns that RENS bounds to their LP values' floor and ceiling (the others stay free,
#: which keeps the neighbourhood feasible).
RENS_COLUMNS = ("assign_count", "assign_pair")
#: Seconds HiGHS gets to stop at its own next check before its simplex is interrupted too.
STOP_GRACE_SECONDS = 0.5
#: Seconds more after which a HiGHS thread that has not stopped is left running (it stops at
#: its next check; the interrupt stays subscribed) and the answer is given without it: a
#: 4,000-household batch spent 83 s in one root cut round (log: 2,693 cuts, 9,967 conflicts)
#: with a 20 s limit, checking neither its clock nor a callback.
ABANDON_SECONDS = 1.0
#: How often (s) the main thread looks at HiGHS while the search waits.
POLL_SECONDS = 0.05


@dataclass
class HighsRun:
    """The HiGHS thread: its instance, what its callbacks saw, and when it ended."""

    settings: dict
    lower: np.ndarray
    upper: np.ndarray
    h: highspy.Highs | None = None
    dual_bound: float = -math.inf  # latest dual bound its callbacks reported (valid for mip only)
    seconds: float = 0.0
    cpu_seconds: float = 0.0  # CPU time of the HiGHS thread
    lp_interrupted: bool = False  # stopped inside an LP: its final dual bound is not used
    abandoned: bool = False  # still running at the end: nothing of it is read but its callbacks' records
    done: threading.Event = field(default_factory=threading.Event)
    news: threading.Event = field(default_factory=threading.Event)  # HiGHS offered a better solution

    def proved(self) -> bool:
        """HiGHS ended with its requested gap proven."""
        return self.done.is_set() and self.h is not None \
            and self.h.getModelStatus() == highspy.HighsModelStatus.kOptimal

    def highs(self) -> highspy.Highs | None:
        """The HiGHS instance if it ran and ended (None if it is still running: abandoned)."""
        return None if self.abandoned else self.h

    def record(self) -> dict:
        h = self.highs()
        if self.abandoned:
            return {"status": "still running at the deadline (left to stop on its own)",
                    "bound": highs._finite(self.dual_bound), "seconds": round(self.seconds, 3)}
        info = None if h is None else h.getInfo()
        return {"status": "not run" if h is None else h.modelStatusToString(h.getModelStatus()),
                "objective": None if info is None or info.primal_solution_status != 2
                else float(info.objective_function_value),
                "bound": None if info is None else highs._finite(info.mip_dual_bound),
                "nodes": None if info is None else int(info.mip_node_count), "seconds": round(self.seconds, 3),
                "cpu_seconds": round(self.cpu_seconds, 3),
                "lp_interrupted": self.lp_interrupted}


def _run_highs(c: highs._Compiled, run: HighsRun, start: np.ndarray | None, shared: lns.Shared) -> None:
    """The HiGHS thread's body: run, offering each improving solution; stop when asked."""
    t0, cpu0 = time.perf_counter(), time.thread_time()

    def improving(e) -> None:
        run.dual_bound = max(run.dual_bound, float(e.data_out.mip_dual_bound))
        x = np.asarray(e.data_out.mip_solution, dtype=float)
        if len(x) == len(c.columns) and shared.offer(np.where(c.is_int, np.round(x), x), "highs"):
            run.news.set()

    try:
        h = highs.prepared(c, run.settings)
        h.changeColsBounds(len(run.lower), np.arange(len(run.lower), dtype=np.int32), run.lower, run.upper)
        if start is not None:
            highs.set_start(h, list(start))
        h.cbMipImprovingSolution.subscribe(improving)
        run.h = h
        h.run()
        info = h.getInfo()
        if info.primal_solution_status == 2:
            x = np.asarray(h.getSolution().col_value, dtype=float)
            if shared.offer(np.where(c.is_int, np.round(x), x), "highs"):
                run.news.set()
    finally:
        run.seconds = time.perf_counter() - t0
        run.cpu_seconds = time.thread_time() - cpu0
        run.done.set()


def _interrupt(run: HighsRun) -> None:
    """Ask HiGHS to stop at its next check, recording its dual bound there. The interrupt
    callback is subscribed only now: a callback that HiGHS calls often needs Python's GIL each
    time, and while the search runs in the other thread that slowed HiGHS down several-fold
    (national RENS: 40,148 instead of 29,221 after 30 s). HiGHS checks it between LP solves; a
    root LP or cut round of a 4,000-household batch can take 20 s under load, so after
    :data:`STOP_GRACE_SECONDS` the simplex is interrupted too, and the bound HiGHS reports after
    that is not used (an interrupted LP proves nothing): the last one a callback saw is."""
    while run.h is None and not run.done.is_set():
        time.sleep(0.001)
    if run.h is None or run.done.is_set():
        return

    def stop(e) -> None:
        run.dual_bound = max(run.dual_bound, float(e.data_out.mip_dual_bound))
        e.interrupt()

    run.h.cbMipInterrupt.subscribe(stop)
    if run.done.wait(STOP_GRACE_SECONDS):
        return
    run.lp_interrupted = True
    run.h.cbSimplexInterrupt.subscribe(lambda e: e.interrupt())


def rens_bounds(c: highs._Compiled, x_lp: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Column bounds of the RENS sub-MIP: :data:`RENS_COLUMNS` within floor and ceiling of their
    LP values (and their own bounds)."""
    lo = np.asarray(c.lp.col_lower_, dtype=float).copy()
    up = np.asarray(c.lp.col_upper_, dtype=float).copy()
    pick = np.array([v.parent_component().local_name in RENS_COLUMNS for v in c.columns], dtype=bool) & c.is_int
    lo[pick] = np.maximum(lo[pick], np.floor(x_lp[pick] + 1e-6))
    up[pick] = np.minimum(up[pick], np.ceil(x_lp[pick] - 1e-6))
    return lo, np.maximum(lo, up)


def solve(model: pyo.ConcreteModel, inp: KoppelingInputs, options: SolverOptions,
          strategy: Literal["mip", "rens"], deadline: float | None) -> SolveResult:
    """HiGHS and the search side by side from the model's current values (a feasible proposal)
    until ``deadline`` (``time.perf_counter()``; module docstring); the answer is loaded into the
    model."""
    t0 = time.perf_counter()
    c = highs._compile(model)
    x0 = np.array([0.0 if v.value is None else float(v.value) for v in c.columns])
    shared = lns.Shared(c, x0)
    settings = {**options.highs_settings(), "output_flag": bool(options.verbose)}
    left = None if deadline is None else max(0.05, deadline - time.perf_counter())
    lower = np.asarray(c.lp.col_lower_, dtype=float).copy()
    upper = np.asarray(c.lp.col_upper_, dtype=float).copy()
    x_lp = lp_bound = None
    if strategy == "rens":
        x_lp = lns.relaxation(c, options, left)
        if x_lp is not None:
            lower, upper = rens_bounds(c, x_lp)
            settings["mip_rel_gap"] = options.mip_rel_gap / 3
        else:
            strategy = "mip"  # no LP optimum in time: the full MIP gives the bound
    if deadline is not None:
        settings["time_limit"] = max(0.05, deadline - time.perf_counter())
    run = HighsRun(settings, lower, upper)
    # RENS gets no start: the heuristic's proposal lies outside its box (as in solve_rens)
    thread = threading.Thread(target=_run_highs, args=(c, run, x0 if strategy == "mip" else None, shared),
                              daemon=True)
    thread.start()
    if strategy == "mip":
        x_lp = lns.relaxation(c, options, None if deadline is None else deadline - time.perf_counter())
    if x_lp is not None:
        lp_bound = highs.objective_value(c, x_lp)
    records = _search_until_done(c, inp, options, deadline, x_lp, shared, run, strategy, lp_bound)
    shared.stop.set()
    _interrupt(run)
    thread.join(ABANDON_SECONDS)
    if thread.is_alive():  # HiGHS inside a long step that checks nothing: leave it (docstring)
        run.abandoned = True
        log.warning("HiGHS did not stop within %.1f s of the deadline; its thread is left to end on its own",
                    STOP_GRACE_SECONDS + ABANDON_SECONDS)
    timed_out = deadline is not None and time.perf_counter() >= deadline - 0.1
    return _result(model, c, options, strategy, run, shared, lp_bound, records, time.perf_counter() - t0, timed_out)


def _bound(run: HighsRun, strategy: str, lp_bound: float | None) -> float | None:
    """The best valid bound known now: the LP optimum and, for the full MIP, HiGHS's dual bound."""
    bounds = [b for b in (lp_bound, run.dual_bound if strategy == "mip" else None) if b is not None]
    bounds = [b for b in bounds if math.isfinite(b)]
    return max(bounds) if bounds else None


def _search_until_done(c: highs._Compiled, inp: KoppelingInputs, options: SolverOptions, deadline: float | None,
                       x_lp: np.ndarray | None, shared: lns.Shared, run: HighsRun, strategy: str,
                       lp_bound: float | None) -> list[lns.LnsRecord]:
    """The main thread: search from the shared best; when idle, wait for HiGHS's news (module
    docstring, "When it ends"). Returns the records of the searches."""
    records: list[lns.LnsRecord] = []

    def finished() -> bool:
        bound = _bound(run, strategy, lp_bound)
        within = bound is not None and highs.relative_gap(shared.best()[1], bound) <= options.mip_rel_gap
        return within or (strategy == "mip" and run.proved()) or \
            (deadline is not None and time.perf_counter() >= deadline - 0.05)

    watcher = threading.Thread(target=_watch, args=(finished, shared, run), daemon=True)
    watcher.start()
    if strategy == "rens":  # the search starts from RENS's first solution (module docstring)
        _wait_for_news(run, shared, end_when_done=False)
    while not shared.stop.is_set():
        run.news.clear()
        x, _ = shared.best()
        _, rec = lns.search(c, x, inp, options, deadline, x_lp=x_lp, shared=shared)
        records.append(rec)
        _wait_for_news(run, shared)  # idle: for a better solution from HiGHS, or the end
    watcher.join()
    return records


def _wait_for_news(run: HighsRun, shared: lns.Shared, end_when_done: bool = True) -> None:
    """Until HiGHS offers a better solution, or the end (``shared.stop``). HiGHS done without
    news: with ``end_when_done`` nothing is left to do (``shared.stop`` is set), else return."""
    while not (shared.stop.is_set() or run.news.is_set()):
        if run.done.is_set():
            if end_when_done and not run.news.is_set():
                shared.stop.set()
            return
        run.news.wait(POLL_SECONDS)


def _watch(finished, shared: lns.Shared, run: HighsRun) -> None:
    """Set ``shared.stop`` as soon as ``finished()`` (checked every :data:`POLL_SECONDS`)."""
    while not shared.stop.is_set():
        if finished():
            shared.stop.set()
            return
        time.sleep(POLL_SECONDS)


def _result(model: pyo.ConcreteModel, c: highs._Compiled, options: SolverOptions, strategy: str, run: HighsRun,
            shared: lns.Shared, lp_bound: float | None, records: list[lns.LnsRecord], seconds: float,
            timed_out: bool) -> SolveResult:
    """The answer (module docstring): loaded into ``model``, with the best valid bound."""
    h = run.highs()
    info = None if h is None else h.getInfo()
    if strategy == "mip" and run.proved() and info is not None and info.primal_solution_status == 2:
        x = np.asarray(h.getSolution().col_value, dtype=float)
        x = np.where(c.is_int, np.round(x), x)
        winner = "highs (proved)"
    else:
        x, _ = shared.best()
        winner = shared.source
    for var, val in zip(c.columns, x):
        var.set_value(float(val), skip_validation=True)
    value = highs.objective_value(c, x)
    bound = _bound(run, strategy, lp_bound)
    if strategy == "mip" and info is not None and math.isfinite(info.mip_dual_bound) and not run.lp_interrupted:
        bound = max(bound if bound is not None else -math.inf, float(info.mip_dual_bound))
    gap = None if bound is None else highs.relative_gap(value, bound)
    optimal = gap is not None and gap <= options.mip_rel_gap
    raw = ("abandoned" if run.abandoned else "none") if h is None else h.modelStatusToString(h.getModelStatus())
    steps = sum(r.steps for r in records)
    record = {**options.record(), "strategy": "mip+lns" if strategy == "mip" else "lp+rens+lns",
              "highs": run.record(), "winner": winner, "lp_bound": lp_bound,
              "lns": {"searches": len(records), "steps": steps, "improving_steps": sum(r.improving_steps for r in records),
                      "adopted": sum(r.adopted for r in records),
                      "seconds": round(sum(r.seconds for r in records), 3),
                      "zones_per_step_at_the_end": records[-1].zones_per_step if records else None}}
    log.info("%s: objective %.4f (%s), bound %s, gap %s; HiGHS %s; LNS %d steps", record["strategy"], value, winner,
             bound, gap, raw, steps)
    version = highs.solver_version()
    return SolveResult(status=Status.OPTIMAL if optimal else Status.FEASIBLE, solver_status=f"{record['strategy']}:{raw}",
                       solver=version, objective=value, bound=bound, gap=gap,
                       compile_seconds=c.seconds, solve_seconds=seconds, n_variables=len(c.columns),
                       n_integer=int(c.is_int.sum()), n_constraints=len(c.rows), n_nonzeros=c.n_nonzeros,
                       node_count=None if info is None else int(info.mip_node_count), options=record,
                       limit="time_limit" if timed_out and not optimal else None, version=version.removeprefix("HiGHS "))
