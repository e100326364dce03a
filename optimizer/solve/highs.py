"""Solve a Pyomo model with HiGHS and return a typed, solver-neutral result.

Route (the fastest Pyomo route measured here, see docs/performance.md): Pyomo's
``LinearStandardFormCompiler`` (mixed form) turns the model into sparse matrices, which are
handed to ``highspy`` in one ``passModel`` call. The solution is loaded back into the Pyomo
variables, so result extraction reads ``var.value`` as usual.

The result states what HiGHS reported, unchanged: the model status (raw, and mapped to the
neutral :class:`Status`), the objective value, and for a MIP HiGHS's own dual bound
(``mip_dual_bound``) and relative gap (``mip_gap``); which limit stopped the solve, if any;
and the HiGHS version. Options are passed through (:class:`SolverOptions`, ``extra`` by
HiGHS option name). Strategies that combine several solves are in
:mod:`optimizer.solve.strategies`.

Determinism: HiGHS is run single-threaded by default with a fixed ``random_seed``; the same
model and options give the same solution. A time limit can cut a run at a machine-dependent
point; the result then says so (status ``feasible``, ``limit`` ``time_limit``) and states the
proven gap.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import sys
import time
from collections.abc import Iterator
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


#: HiGHS model statuses that mean "stopped by a limit", and the limit's neutral name.
LIMITS = {"kTimeLimit": "time_limit", "kIterationLimit": "iteration_limit", "kSolutionLimit": "solution_limit",
          "kInterrupt": "interrupt", "kHighsInterrupt": "interrupt", "kMemoryLimit": "memory_limit",
          "kObjectiveBound": "objective_bound", "kObjectiveTarget": "objective_target"}
_STATUS = {"kOptimal": Status.OPTIMAL, "kModelEmpty": Status.OPTIMAL, "kInfeasible": Status.INFEASIBLE,
           "kUnbounded": Status.UNBOUNDED, "kUnboundedOrInfeasible": Status.UNBOUNDED}


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
    #: HiGHS runs in parallel with seeds random_seed, +1, ... (optimizer.solve.portfolio); None:
    #: the caller decides. Not a HiGHS option: used by callers that run a portfolio (koppeling)
    portfolio: int | None = None
    #: HiGHS and the neighbourhood search side by side (optimizer.koppeling.cooperative) for
    #: 1,000+ households; None: the caller's default. Not a HiGHS option
    cooperative: bool | None = None

    def highs_settings(self) -> dict[str, Any]:
        """The HiGHS option names and values these options set (``extra`` last, so it wins)."""
        settings: dict[str, Any] = {"output_flag": bool(self.verbose), "mip_rel_gap": float(self.mip_rel_gap),
                                    "threads": int(self.threads), "random_seed": int(self.random_seed),
                                    "presolve": self.presolve}
        if self.time_limit is not None:
            settings["time_limit"] = float(self.time_limit)
        return {**settings, **self.extra}

    def record(self) -> dict[str, Any]:
        """The options as recorded in a run record (without ``verbose``)."""
        return {k: v for k, v in asdict(self).items() if k != "verbose"}


@dataclass
class SolveResult:
    """What HiGHS reported for one solve (or a strategy for several), as it reported it."""

    status: Status
    solver_status: str  # raw HiGHS model status, e.g. "kOptimal", "kTimeLimit"
    solver: str  # "HiGHS 1.16.0"
    objective: float | None  # objective value of the solution HiGHS returned
    bound: float | None  # best proven lower bound (minimisation): HiGHS's mip_dual_bound; an LP's optimum
    gap: float | None  # HiGHS's own relative gap (mip_gap: |objective - bound| / |objective|); 0 for an LP
    compile_seconds: float
    solve_seconds: float
    n_variables: int
    n_integer: int
    n_constraints: int
    n_nonzeros: int
    node_count: int | None
    options: dict[str, Any]
    duals: dict[str, float] | None = None  # LP only: constraint name -> dual value
    limit: str | None = None  # the limit that stopped the solve (``LIMITS``), None if none did
    version: str = ""  # HiGHS version, e.g. "1.16.0"
    start: dict[str, Any] | None = None  # the starting solution handed to HiGHS (objective, seconds, ...), if any

    @property
    def has_solution(self) -> bool:
        return self.status in (Status.OPTIMAL, Status.FEASIBLE)

    def record(self) -> dict[str, Any]:
        """JSON-friendly dict for run records (no duals)."""
        d = asdict(self)
        d.pop("duals", None)
        d["status"] = self.status.value
        return d


@contextlib.contextmanager
def _stdout_silenced() -> Iterator[None]:
    """Silence the process's standard output (file descriptor 1) for the duration: HiGHS prints
    its banner from C++ when an instance is created, before any option can switch it off."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 1)
            yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def new_highs(verbose: bool = False) -> highspy.Highs:
    """A HiGHS instance; without ``verbose`` its start-up banner is not printed."""
    if verbose:
        return highspy.Highs()
    with _stdout_silenced():
        return highspy.Highs()


def solver_version() -> str:
    return f"HiGHS {new_highs().version()}"


@dataclass
class _Compiled:
    """A model in HiGHS's form, and the Pyomo variable behind each column."""

    lp: highspy.HighsLp
    columns: list
    rows: list
    is_int: np.ndarray
    n_nonzeros: int
    seconds: float


def _light_scipy_hooks() -> None:
    """Give Pyomo's standard-form compiler ``scipy.sparse`` without ``scipy.stats``.

    Pyomo registers a callback on the first import of ``scipy`` by anyone
    (``pyomo.common.dependencies._finalize_scipy``) that also imports ``scipy.stats``,
    ``scipy.integrate`` and ``scipy.spatial``: ~1 s of a weekly command for modules the compiler
    does not use. ``scipy.sparse`` is imported here with that callback set aside (it stays
    registered, so Pyomo code that asks for its ``scipy`` later still gets the full import), and
    the compiler's matrix hooks (class attributes meant to be set, Pyomo's own comment) are set
    to what Pyomo would set. Where those private names are missing (another Pyomo version) it
    does nothing and Pyomo imports scipy as it always did: slower by ~1 s, the same model.
    """
    try:  # private Pyomo names (pyomo 6.10): if a later Pyomo moves them, Pyomo's own path is used
        from pyomo.common.dependencies import DeferredImportCallbackFinder
        from pyomo.repn.plugins.standard_form import _LinearStandardFormCompiler_impl as impl

        if impl._to_vector is not None:
            return
        callbacks = DeferredImportCallbackFinder._callbacks
    except (ImportError, AttributeError):
        log.debug("Pyomo internals changed: the standard-form compiler imports scipy itself")
        return
    saved = callbacks.pop("scipy", None)
    try:
        import scipy.sparse
    finally:
        if saved is not None:
            callbacks["scipy"] = saved
    impl._csc_matrix = scipy.sparse.csc_array
    impl._csr_matrix = scipy.sparse.csr_array
    impl._to_vector = np.fromiter


def _compile(model: pyo.ConcreteModel) -> _Compiled:
    """Compile ``model`` (one active minimisation objective) to a ``HighsLp``."""
    t0 = time.perf_counter()
    _light_scipy_hooks()
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
    lp.col_lower_ = np.array([-math.inf if v.lb is None else v.lb for v in columns], dtype=float)
    lp.col_upper_ = np.array([math.inf if v.ub is None else v.ub for v in columns], dtype=float)
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
    return _Compiled(lp, columns, info.rows, is_int, int(A.nnz), time.perf_counter() - t0)


def _status(raw: str, has_primal: bool) -> Status:
    """The neutral status of a raw HiGHS model status."""
    if raw in LIMITS or raw == "kUnknown":
        return Status.FEASIBLE if has_primal else Status.NO_SOLUTION
    return _STATUS.get(raw, Status.ERROR)


def _limit(raw: str, settings: dict[str, Any], node_count: int | None) -> str | None:
    """The limit that stopped the solve: HiGHS reports its node limit (``mip_max_nodes``, a
    deterministic work limit) as ``kSolutionLimit``; told apart by the nodes searched."""
    nodes = settings.get("mip_max_nodes")
    if raw == "kSolutionLimit" and nodes is not None and node_count is not None and node_count >= int(nodes):
        return "node_limit"
    return LIMITS.get(raw)


def objective_value(c: _Compiled, values: np.ndarray) -> float:
    """The objective of ``values`` (one per column of ``c``): costs times values plus the offset."""
    return float(np.dot(np.asarray(c.lp.col_cost_, dtype=float), values)) + float(c.lp.offset_)


def relative_gap(objective: float, bound: float) -> float:
    """HiGHS's relative gap of ``objective`` above a lower ``bound``: (z - b)^+ / |z|."""
    return max(0.0, objective - bound) / max(abs(objective), 1e-9)


def _matches(c: _Compiled, values: np.ndarray, objective: float) -> bool:
    """Whether ``values`` have the objective HiGHS reports (up to rounding)."""
    return abs(objective_value(c, values) - objective) <= 1e-6 * max(1.0, abs(objective))


def _finite(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


def _row_duals(rows: list, row_dual) -> dict[str, float]:
    """Row duals by constraint name (for a range constraint split into two rows the non-zero one)."""
    out: dict[str, float] = {}
    for (con, _), d in zip(rows, row_dual):
        name = con.name
        if abs(d) > abs(out.get(name, 0.0)):
            out[name] = float(d)
        else:
            out.setdefault(name, 0.0)
    return out


def set_start(h: highspy.Highs, values: list[float]) -> None:
    """Hand HiGHS ``values`` (one per column) as its starting solution."""
    sol = highspy.HighsSolution()
    sol.col_value = list(values)
    sol.value_valid = True
    h.setSolution(sol)


def prepared(c: _Compiled, settings: dict, start: list[float] | None = None,
             verbose: bool = False) -> highspy.Highs:
    """A HiGHS instance with ``settings`` (option -> value; a rejected one is a ValueError) and
    the model ``c``, from ``start`` if given, ready to run."""
    h = new_highs(verbose)
    for key, value in settings.items():
        if h.setOptionValue(key, value) != highspy.HighsStatus.kOk:
            raise ValueError(f"HiGHS rejected option {key} = {value!r}")
    h.passModel(c.lp)
    if start is not None:
        set_start(h, start)
    return h


def _run(c: _Compiled, options: SolverOptions, start: list[float] | None) -> highspy.Highs:
    """A HiGHS instance with ``options`` that has run on ``c`` (from ``start`` if given)."""
    h = prepared(c, options.highs_settings(), start, options.verbose)
    h.run()
    return h


def _solution_matches_objective(h: highspy.Highs, c: _Compiled) -> bool:
    """Whether the values HiGHS returns give the objective it reports (or it has none)."""
    if h.getInfo().primal_solution_status != 2:
        return True
    return _matches(c, np.asarray(h.getSolution().col_value, dtype=float), float(h.getInfo().objective_function_value))


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
    c = _compile(model)
    t1 = time.perf_counter()
    start = [0.0 if v.value is None else float(v.value) for v in c.columns] if warm_start else None
    h = _run(c, options, start)
    if start is not None and not _solution_matches_objective(h, c):
        # HiGHS 1.16 can report the optimum it found but return the starting solution's values
        # (seen when presolve solves a tiny model outright): solve again without the start
        log.warning("HiGHS returned the starting solution with another objective; solving again without it")
        h = _run(c, options, None)
    solve_seconds = time.perf_counter() - t1
    result = load_result(c, h, options, solve_seconds, duals=duals, from_start=start is not None)
    if result is None:
        # HiGHS 1.16 can return the start instead of the solution it reports (seen when
        # presolve solves the MIP): solve again without the start
        log.info("HiGHS returned its starting solution, not the one it reports; solving again without it")
        return solve(model, options, duals=duals, warm_start=False)
    return result


def load_result(c: _Compiled, h: highspy.Highs, options: SolverOptions, solve_seconds: float, *,
                duals: bool = False, from_start: bool = False) -> SolveResult | None:
    """The result of HiGHS instance ``h`` that has run on ``c``, its solution (if any) loaded
    into the Pyomo variables. ``from_start``: HiGHS was given a starting solution; None (nothing
    loaded) when the values it returns do not give the objective it reports."""
    model_status = h.getModelStatus()
    raw = model_status.name if hasattr(model_status, "name") else str(model_status)
    hinfo = h.getInfo()
    status = _status(raw, hinfo.primal_solution_status == 2)  # kSolutionStatusFeasible
    mip = bool(c.is_int.any())
    objective = bound = gap = node_count = row_duals = None
    if status in (Status.OPTIMAL, Status.FEASIBLE):
        sol = h.getSolution()
        values = np.asarray(sol.col_value, dtype=float)
        if from_start and not _matches(c, values, hinfo.objective_function_value):
            return None
        if mip:
            values = np.where(c.is_int, np.round(values), values)
        for var, val in zip(c.columns, values):
            var.set_value(float(val), skip_validation=True)
        objective = float(hinfo.objective_function_value)
        if mip:
            bound, gap, node_count = _finite(hinfo.mip_dual_bound), _finite(hinfo.mip_gap), int(hinfo.mip_node_count)
        elif status is Status.OPTIMAL:
            bound, gap = objective, 0.0
            row_duals = _row_duals(c.rows, sol.row_dual) if duals else None
    return SolveResult(
        status=status, solver_status=raw, solver=f"HiGHS {h.version()}", objective=objective, bound=bound, gap=gap,
        compile_seconds=c.seconds, solve_seconds=solve_seconds, n_variables=len(c.columns),
        n_integer=int(c.is_int.sum()), n_constraints=len(c.rows), n_nonzeros=c.n_nonzeros, node_count=node_count,
        options=options.record(), duals=row_duals, version=h.version(),
        limit=_limit(raw, options.highs_settings(), int(hinfo.mip_node_count) if mip else None),
    )
