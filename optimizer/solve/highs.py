"""Solve a Pyomo model with HiGHS and return a typed, solver-neutral result.

Route (the fastest Pyomo route measured here, see PERFORMANCE-NOTES): Pyomo's
``LinearStandardFormCompiler`` (mixed form) turns the model into sparse matrices, which are
handed to ``highspy`` in one ``passModel`` call. The solution is loaded back into the Pyomo
variables, so result extraction reads ``var.value`` as usual.

Determinism: HiGHS is run single-threaded by default with a fixed ``random_seed``; the same
model and options give the same solution. A time limit can cut a run at a machine-dependent
point; the result then says so (status ``time_limit``) and states the proven gap.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any

import highspy
import numpy as np
import pyomo.environ as pyo
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

log = logging.getLogger(__name__)


class Status(str, Enum):
    """Neutral solve status (mapped from HiGHS model statuses)."""

    OPTIMAL = "optimal"  # proven optimal within the requested relative gap
    FEASIBLE = "feasible"  # stopped by a limit with a feasible solution; see gap
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    NO_SOLUTION = "no_solution"  # stopped by a limit without a feasible solution
    ERROR = "error"


_LIMITS = {"kTimeLimit", "kIterationLimit", "kSolutionLimit", "kInterrupt", "kMemoryLimit",
           "kHighsInterrupt", "kObjectiveBound", "kObjectiveTarget", "kUnknown"}


@dataclass
class SolverOptions:
    """Options passed to HiGHS. ``extra`` is a pass-through dict of HiGHS option names."""

    time_limit: float | None = None  # seconds; HiGHS may overshoot it by ~50% (checked between rounds)
    mip_rel_gap: float = 1e-4
    threads: int = 1
    random_seed: int = 0
    presolve: str = "choose"
    verbose: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class SolveResult:
    status: Status
    solver_status: str  # raw HiGHS model status
    solver: str  # "HiGHS 1.15.1"
    objective: float | None
    bound: float | None  # best proven lower bound (minimisation)
    gap: float | None  # relative gap |objective - bound| / max(|objective|, 1e-9)
    compile_seconds: float
    solve_seconds: float
    n_variables: int
    n_integer: int
    n_constraints: int
    n_nonzeros: int
    node_count: int | None
    options: dict[str, Any]
    duals: dict[str, float] | None = None  # LP only: constraint name -> dual value

    @property
    def has_solution(self) -> bool:
        return self.status in (Status.OPTIMAL, Status.FEASIBLE)

    def record(self) -> dict[str, Any]:
        """JSON-friendly dict for run records (no duals)."""
        d = asdict(self)
        d.pop("duals", None)
        d["status"] = self.status.value
        return d


def solver_version() -> str:
    h = highspy.Highs()
    return f"HiGHS {h.version()}"


def solve(model: pyo.ConcreteModel, options: SolverOptions | None = None, *, duals: bool = False,
          warm_start: bool = False) -> SolveResult:
    """Compile ``model`` (one active minimisation objective) and solve it with HiGHS.

    With ``warm_start`` the current variable values are handed to HiGHS as a starting
    solution (``setSolution``); HiGHS checks it and uses it only if it is feasible.

    Variable values are loaded into the model when a solution exists. With ``duals`` and a
    pure LP, the row duals are returned by constraint name (for a range constraint split into
    two rows the non-zero one is kept).
    """
    options = options or SolverOptions()
    t0 = time.perf_counter()
    info = LinearStandardFormCompiler().write(model, mixed_form=True, set_sense=pyo.minimize)
    columns = info.columns
    A = info.A.tocsc()
    n_rows, n_cols = A.shape

    lp = highspy.HighsLp()
    lp.num_col_ = n_cols
    lp.num_row_ = n_rows
    cost = info.c.toarray().ravel() if info.c.shape[0] else np.zeros(n_cols)
    lp.col_cost_ = cost.astype(float)
    lp.offset_ = float(info.c_offset[0]) if len(info.c_offset) else 0.0
    lower = np.array([-math.inf if v.lb is None else v.lb for v in columns], dtype=float)
    upper = np.array([math.inf if v.ub is None else v.ub for v in columns], dtype=float)
    lp.col_lower_ = lower
    lp.col_upper_ = upper
    rhs = np.asarray(info.rhs, dtype=float)
    mult = np.array([m for _, m in info.rows], dtype=int)
    lp.row_lower_ = np.where(mult == 1, -math.inf, rhs)
    lp.row_upper_ = np.where(mult == -1, math.inf, rhs)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = A.indptr.astype(np.int32)
    lp.a_matrix_.index_ = A.indices.astype(np.int32)
    lp.a_matrix_.value_ = A.data.astype(float)
    is_int = np.array([v.is_integer() or v.is_binary() for v in columns], dtype=bool)
    if is_int.any():
        lp.integrality_ = [highspy.HighsVarType.kInteger if b else highspy.HighsVarType.kContinuous for b in is_int]
    compile_seconds = time.perf_counter() - t0

    h = highspy.Highs()
    settings: dict[str, Any] = {"output_flag": bool(options.verbose), "mip_rel_gap": float(options.mip_rel_gap),
                                "threads": int(options.threads), "random_seed": int(options.random_seed),
                                "presolve": options.presolve}
    if options.time_limit is not None:
        settings["time_limit"] = float(options.time_limit)
    settings.update(options.extra)
    for key, value in settings.items():
        if h.setOptionValue(key, value) != highspy.HighsStatus.kOk:
            raise ValueError(f"HiGHS rejected option {key} = {value!r}")
    t1 = time.perf_counter()
    h.passModel(lp)
    if warm_start:
        start = highspy.HighsSolution()
        start.col_value = [0.0 if v.value is None else float(v.value) for v in columns]
        start.value_valid = True
        h.setSolution(start)
    h.run()
    solve_seconds = time.perf_counter() - t1

    model_status = h.getModelStatus()
    raw = model_status.name if hasattr(model_status, "name") else str(model_status)
    hinfo = h.getInfo()
    has_primal = hinfo.primal_solution_status == 2  # kSolutionStatusFeasible
    if raw == "kOptimal":
        status = Status.OPTIMAL
    elif raw in ("kInfeasible",):
        status = Status.INFEASIBLE
    elif raw in ("kUnbounded", "kUnboundedOrInfeasible"):
        status = Status.UNBOUNDED
    elif raw in _LIMITS:
        status = Status.FEASIBLE if has_primal else Status.NO_SOLUTION
    elif raw == "kModelEmpty":
        status = Status.OPTIMAL
    else:
        status = Status.ERROR

    objective = bound = gap = None
    node_count = None
    row_duals = None
    if status in (Status.OPTIMAL, Status.FEASIBLE):
        sol = h.getSolution()
        values = np.asarray(sol.col_value, dtype=float)
        if is_int.any():
            values = np.where(is_int, np.round(values), values)
        for var, val in zip(columns, values):
            var.set_value(float(val), skip_validation=True)
        objective = float(hinfo.objective_function_value)
        if is_int.any():
            bound = float(hinfo.mip_dual_bound)
            node_count = int(hinfo.mip_node_count)
            gap = abs(objective - bound) / max(abs(objective), 1e-9) if math.isfinite(bound) else None
            if gap is not None and abs(objective - bound) < 1e-9:
                gap = 0.0
        elif status is Status.OPTIMAL:
            bound, gap = objective, 0.0
            if duals:
                row_duals = {}
                for (con, _), d in zip(info.rows, sol.row_dual):
                    name = con.name
                    if abs(d) > abs(row_duals.get(name, 0.0)):
                        row_duals[name] = float(d)
                    else:
                        row_duals.setdefault(name, 0.0)
    return SolveResult(
        status=status,
        solver_status=raw,
        solver=f"HiGHS {h.version()}",
        objective=objective,
        bound=bound,
        gap=gap,
        compile_seconds=compile_seconds,
        solve_seconds=solve_seconds,
        n_variables=n_cols,
        n_integer=int(is_int.sum()),
        n_constraints=n_rows,
        n_nonzeros=int(A.nnz),
        node_count=node_count,
        options={k: v for k, v in asdict(options).items() if k != "verbose"},
        duals=row_duals,
    )


def solve_rens(model: pyo.ConcreteModel, options: SolverOptions | None = None,
               restrict: list | None = None, warm_start: bool = False) -> SolveResult:
    """LP relaxation -> RENS sub-MIP -> (if needed) full MIP warm-started from it.

    1. Solve the LP relaxation: its optimum is a valid lower bound for the MIP.
    2. RENS (relaxation enforced neighbourhood search): bound every integer variable to
       ``[floor(x*), ceil(x*)]`` of its LP value and solve that much smaller MIP.
    3. If the RENS solution is within ``mip_rel_gap`` of the LP bound it is returned as
       optimal-within-gap, with the LP bound as the proven bound. Otherwise the full MIP is
       solved with the RENS solution as a warm start (HiGHS then proves its own gap).

    Where the aggregated koppeling model's LP is tight (national scale) this avoids a long
    root cut loop; where it is weak (small batches) HiGHS's cuts still do the proving.
    ``restrict`` names the variable components whose bounds RENS tightens (default: every
    integer variable); leaving the others free keeps the neighbourhood feasible.
    The returned timings add up all stages; ``options`` records the strategy.
    """
    options = options or SolverOptions()
    int_vars = [v for v in model.component_data_objects(pyo.Var, active=True) if v.is_integer() or v.is_binary()]
    domains = [(v.domain, v.lb, v.ub) for v in int_vars]
    t_start = time.perf_counter()
    for v in int_vars:
        lb, ub = v.lb, v.ub
        v.domain = pyo.Reals
        v.setlb(lb)
        v.setub(ub)
    lp = solve(model, SolverOptions(threads=options.threads, random_seed=options.random_seed, verbose=options.verbose,
                                    time_limit=options.time_limit))
    for v, (dom, lb, ub) in zip(int_vars, domains):
        v.domain = dom
        v.setlb(lb)
        v.setub(ub)
    if lp.status is not Status.OPTIMAL:  # no valid bound: plain MIP instead
        return solve(model, options, warm_start=warm_start)
    lp_bound = float(lp.objective)
    lp_values = [v.value for v in int_vars]
    restricted = None if restrict is None else {id(v) for comp in restrict for v in comp.values()}
    for v, x, (_, lb, ub) in zip(int_vars, lp_values, domains):
        if restricted is not None and id(v) not in restricted:
            continue
        x = 0.0 if x is None else x
        lo, hi = math.floor(x + 1e-6), math.ceil(x - 1e-6)
        v.setlb(lo if lb is None else max(lb, lo))
        v.setub(hi if ub is None else min(ub, hi))
    elapsed = time.perf_counter() - t_start
    remaining = None if options.time_limit is None else max(1.0, options.time_limit - elapsed)
    # the sub-MIP is small: solve it tightly so that its solution is as good as it can be
    sub_opts = SolverOptions(**{**asdict(options), "time_limit": remaining,
                                "mip_rel_gap": options.mip_rel_gap / 3})
    sub = solve(model, sub_opts)
    log.info("RENS: LP bound %.4f (%.1fs), sub-MIP %s objective %s (%.1fs, %d of %d integers free)", lp_bound,
             lp.solve_seconds, sub.status.value, sub.objective, sub.solve_seconds,
             sum(1 for v in int_vars if v.lb != v.ub), len(int_vars))
    for v, (_, lb, ub) in zip(int_vars, domains):
        v.setlb(lb)
        v.setub(ub)
    elapsed = time.perf_counter() - t_start
    strategy = {**asdict(options), "strategy": "lp+rens"}
    strategy.pop("verbose", None)
    if sub.has_solution:
        gap = max(0.0, sub.objective - lp_bound) / max(abs(sub.objective), 1e-9)
        if gap <= options.mip_rel_gap:
            return SolveResult(
                status=Status.OPTIMAL, solver_status=f"rens:{sub.solver_status}", solver=sub.solver,
                objective=sub.objective, bound=lp_bound, gap=gap,
                compile_seconds=lp.compile_seconds + sub.compile_seconds,
                solve_seconds=lp.solve_seconds + sub.solve_seconds,
                n_variables=lp.n_variables, n_integer=len(int_vars), n_constraints=lp.n_constraints,
                n_nonzeros=lp.n_nonzeros, node_count=sub.node_count, options=strategy)
    remaining = None if options.time_limit is None else max(1.0, options.time_limit - elapsed)
    full = solve(model, SolverOptions(**{**asdict(options), "time_limit": remaining}), warm_start=sub.has_solution)
    full.compile_seconds += lp.compile_seconds + sub.compile_seconds
    full.solve_seconds += lp.solve_seconds + sub.solve_seconds
    if full.bound is not None:
        full.bound = max(full.bound, lp_bound)
        if full.objective is not None:
            full.gap = max(0.0, full.objective - full.bound) / max(abs(full.objective), 1e-9)
    full.options = {**strategy, "strategy": "lp+rens+mip"}
    return full
