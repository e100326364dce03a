"""``spreiding propose``: files -> validated frames -> model -> HiGHS -> explained proposal files.

The run is a chain of stages, each a function of its own that can be called alone::

    load -> validate -> inputs -> build -> solve -> extract -> explain -> write

* :func:`load` reads and types every input file on its own (households, state, variant,
  previous proposal, gemeente boundaries for the map), collecting every violation;
* :func:`validate` checks the files against each other (locks and scores against the
  households) and raises one :class:`InputError` with the violations of all files, before
  anything is built;
* :func:`inputs` turns the frames into model inputs (units, options, zones);
* :func:`build` builds the Pyomo model (:mod:`models.koppeling`);
* :func:`solve` solves it with HiGHS (:mod:`optimizer.solve`) and keeps HiGHS's numbers;
* :func:`extract` disaggregates the solution and evaluates every term
  (:mod:`optimizer.koppeling.extract`, :mod:`optimizer.koppeling.objective`);
* :func:`explain` makes the output tables with alternatives and reasons;
* :func:`write` writes the tables, ``map.png``, the report (stage ``report``,
  :mod:`optimizer.koppeling.report`: ``report.html``, ``report.xlsx``) and ``run.json`` to a
  temporary folder that is moved into place only when complete.

:func:`run_propose` chains them; :func:`optimise` chains build, solve and extract for tests,
benchmarks and experiments.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal, TypeVar

import pandas as pd
import pyomo.environ as pyo

from models.koppeling import KoppelingInputs, build_model
from optimizer.core.errors import InputError, Violation, raise_if
from optimizer.core.runrecord import RunRecord, inputs_record, write_json
from optimizer.core.tables import atomic_output_dir, check_output_dir, write_table
from optimizer.data import schemas
from optimizer.koppeling import anytime
from optimizer.koppeling.explain import METHOD
from optimizer.koppeling.extract import Solution, solution_from_model
from optimizer.koppeling.fairness import fairness_report
from optimizer.koppeling.inputs import Context, build_inputs
from optimizer.koppeling.placement import Placement, gap_of_change, load_placement
from optimizer.koppeling.scoring import load_scores
from optimizer.koppeling.tables import (
    fairness_summary,
    gemeenten_table,
    household_types_table,
    proposal_table,
    provinces_table,
)
from optimizer.koppeling.variant import Variant, load_variant
from optimizer.solve.highs import SolveResult, SolverOptions

log = logging.getLogger(__name__)

Strategy = Literal["auto", "mip", "rens"]
Formulation = Literal["aggregated", "per_household"]
T = TypeVar("T")


@dataclass
class ProposeConfig:
    """Everything a koppeling run is given. Solver settings left ``None`` take the variant's
    ``[solver]`` values; a value given here wins."""

    households: str | Path | pd.DataFrame
    state: str | Path | pd.DataFrame
    out: str | Path
    variant: str | Path | None = None
    locks: str | Path | None = None
    previous: str | Path | None = None
    scores: str | Path | None = None
    allowed: str | Path | None = None  # household_id, gm_code: allowed sets (generic placement)
    capacities: str | Path | None = None  # gm_code, resource, capacity (generic placement)
    as_of: date | None = None
    time_limit: float | None = None
    mip_rel_gap: float | None = None
    threads: int | None = None
    seed: int | None = None
    node_limit: int | None = None  # HiGHS mip_max_nodes: a deterministic limit
    formulation: Formulation = "aggregated"
    strategy: Strategy = "auto"
    formats: tuple[str, ...] = ("csv", "xlsx")
    verbose: bool = False
    command: str = "propose"
    extra_record: dict = field(default_factory=dict)
    relative_to: Path | None = None  # record input paths relative to this folder (demo)
    make_map: bool = False  # map.png on request (report.html has the same map as SVG); boundaries are embedded
    boundaries: str | Path | None = None  # GeoJSON/GeoPackage; default: optimizer.data.geo.default_boundaries_path()
    lang: str = "nl"  # language of the reasons, units and report.html / report.xlsx (optimizer.report.strings)
    report: bool = True  # write report.html and report.xlsx
    population: dict | None = None  # the population the state's targets used (taakstelling.PopulationChoice.record)
    started: float | None = None  # time.perf_counter() at the command's start (the CLI: optimizer.STARTED); default: now


@dataclass
class Loaded:
    """The inputs read and typed one file at a time (``None`` where a file is not given or
    failed), and every violation found."""

    households: pd.DataFrame | None = None
    state: pd.DataFrame | None = None
    variant: Variant | None = None
    previous: pd.Series | None = None
    boundaries: Any = None  # optimizer.data.geo.Shapes, or None: no map
    violations: list[Violation] = field(default_factory=list)


@dataclass
class Validated:
    """Every input of a run, valid on its own and against the others."""

    households: pd.DataFrame
    state: pd.DataFrame
    variant: Variant
    locks: pd.DataFrame | None
    previous: pd.Series | None
    scores: pd.DataFrame | None
    boundaries: Any
    placement: Placement = field(default_factory=Placement)


@dataclass
class Built:
    """A built model and how it was formulated."""

    model: pyo.ConcreteModel
    formulation: Formulation
    seconds: float


@dataclass
class Tables:
    """The output tables of a proposal."""

    proposal: pd.DataFrame
    gemeenten: pd.DataFrame
    provinces: pd.DataFrame
    household_types: pd.DataFrame
    fairness: pd.DataFrame | None = None  # far-off gemeenten with the binding reason (fairness.csv)
    fairness_headline: dict = field(default_factory=dict)  # what a province reads first (run.json)


class Timings:
    """Wall-clock seconds per stage (``with timings("stage"): ...``) and in total."""

    def __init__(self, start: float | None = None) -> None:
        self.start = time.perf_counter() if start is None else start
        self.seconds: dict[str, float] = {}
        self.budget: dict | None = None  # how the time limit was split (anytime.CommandClock.record)

    @contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[stage] = time.perf_counter() - t0

    def total(self) -> float:
        return time.perf_counter() - self.start


def _name(source: object, default: str) -> str:
    """How an input is named in messages: its path, or ``default`` for an in-memory table."""
    return str(source) if isinstance(source, (str, Path)) else default


def _collect(violations: list[Violation], read: Callable[[], T]) -> T | None:
    """``read()``, or ``None`` with its violations added to ``violations``."""
    try:
        return read()
    except InputError as exc:
        violations += exc.violations
        return None


# ------------------------------------------------------------------------------------------
# Stages
# ------------------------------------------------------------------------------------------

def load(cfg: ProposeConfig) -> Loaded:
    """Read and type every input that stands on its own; collect (do not raise) violations.

    The gemeente boundaries for the report's map and ``map.png`` are read here too, so that a
    wrong ``--boundaries`` file is reported before anything is solved.
    """
    loaded = Loaded()
    v = loaded.violations
    _collect(v, lambda: check_output_dir(cfg.out))  # a bad --out is reported before any solve
    loaded.households = _collect(v, lambda: schemas.load_households(cfg.households))
    loaded.state = _collect(v, lambda: schemas.load_state(cfg.state))
    loaded.variant = _collect(v, lambda: load_variant(cfg.variant))
    if cfg.previous is not None:
        loaded.previous = _collect(v, lambda: schemas.load_previous(cfg.previous))
    if cfg.make_map or cfg.report:
        from optimizer.data.geo import load_shapes

        loaded.boundaries = _collect(v, lambda: load_shapes(cfg.boundaries))
    return loaded


def validate(cfg: ProposeConfig, loaded: Loaded) -> Validated:
    """Check locks and scores against the households; raise one :class:`InputError` listing
    the violations of every file."""
    violations = list(loaded.violations)
    hh = loaded.households
    locks = scores = None
    if hh is not None and cfg.locks is not None:
        locks = _collect(violations, lambda: schemas.load_locks(cfg.locks, hh))
        if locks is not None and loaded.state is not None:
            violations += schemas.check_locks_can_be_honoured(locks, _name(cfg.locks, "locks"), hh, loaded.state)
    if hh is not None and cfg.scores is not None:
        scores = _collect(violations, lambda: load_scores(cfg.scores, hh))
    if hh is not None and cfg.as_of is not None:
        violations += schemas.check_permit_dates(hh, _name(cfg.households, "households"), cfg.as_of)
    placement = load_placement(cfg.households, cfg.allowed, cfg.capacities, hh, loaded.variant, cfg.scores is not None,
                               violations)
    raise_if(violations)
    assert hh is not None and loaded.state is not None and loaded.variant is not None
    log.info("read %d households, %d gemeenten, variant %s", len(hh), len(loaded.state), loaded.variant.name)
    return Validated(households=hh, state=loaded.state, variant=loaded.variant, locks=locks,
                     previous=loaded.previous, scores=scores, boundaries=loaded.boundaries, placement=placement)


def inputs(cfg: ProposeConfig, data: Validated) -> Context:
    """Model inputs: decision households in units with options, gemeenten in zones."""
    ctx = build_inputs(data.households, data.state, data.variant, scores=data.scores, locks=data.locks,
                       previous=data.previous, as_of=cfg.as_of, **data.placement.inputs())
    inp = ctx.inputs
    log.info("%d households to decide in %d units (%d options); %d excluded, %d context rows",
             len(inp.hh_unit), len(inp.unit_count), len(inp.opt_unit), len(ctx.excluded), len(ctx.context_rows))
    return ctx


def build(ctx: Context, formulation: Formulation = "aggregated", quota_secants: bool = True) -> Built:
    """Build the koppeling model of ``ctx`` (``quota_secants``: :func:`models.koppeling.build_model`)."""
    t0 = time.perf_counter()
    model = build_model(ctx.inputs, formulation, quota_secants)
    return Built(model=model, formulation=formulation, seconds=time.perf_counter() - t0)


def solve(ctx: Context, built: Built, options: SolverOptions | None = None,
          strategy: Literal["mip", "rens"] = "mip", deadline: float | None = None) -> SolveResult:
    """Solve the model from the heuristic's proposal until ``deadline`` (default: the time limit
    from now) and keep the better answer (:func:`optimizer.koppeling.anytime.solve`).

    ``"mip"`` hands the model to HiGHS; ``"rens"`` first solves the LP relaxation and a RENS
    sub-MIP on the assignment variables (:func:`optimizer.solve.strategies.solve_rens`).
    Raises ``RuntimeError`` if there is no solution (there always is: the heuristic's).
    """
    result = anytime.solve(built.model, ctx.inputs, built.formulation, options or SolverOptions(), strategy, deadline)
    if not result.has_solution:
        raise RuntimeError(f"HiGHS returned no solution (status {result.solver_status}); "
                           "try a longer --time-limit")
    log.info("status %s, objective %.4f, bound %s, gap %s", result.status.value, result.objective, result.bound,
             result.gap)
    return result


def extract(ctx: Context, built: Built, result: SolveResult) -> Solution:
    """One decision per household and every term of it (the solver's numbers stay in
    ``result``)."""
    return solution_from_model(ctx, built.model, built.formulation, result, built.seconds)


def explain(ctx: Context, sol: Solution, data: Validated, lang: str = "nl") -> Tables:
    """The output tables: proposal (with alternatives and reasons), gemeenten, provinces and
    household types; texts people read (reasons, units) in ``lang``."""
    proposal = proposal_table(ctx, sol, data.households, lang)
    gem = gemeenten_table(ctx, sol, data.households, data.state, lang)
    headline, far = fairness_report(ctx, sol, gem, lang)
    return Tables(proposal=proposal, gemeenten=gem, provinces=provinces_table(gem),
                  household_types=household_types_table(proposal), fairness=far, fairness_headline=headline)


def write(cfg: ProposeConfig, data: Validated, ctx: Context, sol: Solution, tables: Tables,
          timings: Timings) -> dict:
    """Write the tables, map.png, report.html/.xlsx and run.json into ``cfg.out`` (all or
    nothing); return the run record."""
    t_write = time.perf_counter()
    record = run_record(cfg, data, ctx, sol, tables, timings)
    with atomic_output_dir(cfg.out) as tmp:
        for fmt in cfg.formats:
            for name, table in (("proposal", tables.proposal), ("gemeenten", tables.gemeenten),
                                ("provinces", tables.provinces), ("household_types", tables.household_types),
                                ("fairness", tables.fairness)):
                write_table(table, tmp / f"{name}.{fmt}")
        record["map"] = _write_map(cfg, data, tables.gemeenten, tmp, record)
        if cfg.report:
            from optimizer.koppeling.report import report

            report(record, tables, tmp, cfg.lang, data.boundaries, proposal_xlsx="xlsx" in cfg.formats)
        record["timings_seconds"]["write"] = time.perf_counter() - t_write
        record["timings_seconds"]["total"] = timings.total()  # from the command's start, writing included
        write_json(tmp / "run.json", record)
    if cfg.relative_to is None:  # the demo reports its own (final) folder
        h = record["households"]
        log.info("wrote %s (linked %d, unplaced %d, excluded %d)", cfg.out, h["linked"], h["unplaced"], h["excluded"])
    return record


def run_propose(cfg: ProposeConfig) -> dict:
    """Run a koppeling proposal end to end; return the run record (also written as run.json)."""
    timings = Timings(cfg.started)
    with timings("read_validate"):
        data = validate(cfg, load(cfg))
    options = solver_options(cfg, data.variant)
    clock = anytime.CommandClock(timings.start, options.time_limit, len(data.households), cfg.formats, cfg.make_map,
                                 cfg.report)
    clock.check_size(_name(cfg.households, "households"))
    with timings("inputs"):
        ctx = inputs(cfg, data)
    with timings("build"):
        built = build(ctx, cfg.formulation)
    strategy = choose_strategy(cfg.strategy, cfg.formulation, ctx.inputs)
    log.info("solving with HiGHS (%s, strategy %s, time limit %s s for the command, gap %g)", cfg.formulation,
             strategy, options.time_limit, options.mip_rel_gap)
    result = solve(ctx, built, options, strategy, clock.solve_deadline())
    timings.budget = clock.record()
    with timings("extract"):
        sol = extract(ctx, built, result)
    with timings("changes"):  # against --previous, and the locks' cost (a solve without them)
        from optimizer.koppeling import changes
        sol.comparison = {"against_previous": changes.against_previous(ctx, sol, data.previous),
                          "locks_cost": changes.locks_cost(cfg, data, sol)}
    with timings("explain"):
        tables = explain(ctx, sol, data, cfg.lang)
    return write(cfg, data, ctx, sol, tables, timings)


def optimise(ctx: Context, options: SolverOptions | None = None, formulation: Formulation = "aggregated",
             strategy: Literal["mip", "rens"] = "mip", quota_secants: bool = True) -> Solution:
    """Build, solve and extract in one call (tests, benchmarks, experiments)."""
    built = build(ctx, formulation, quota_secants)
    return extract(ctx, built, solve(ctx, built, options, strategy))


# ------------------------------------------------------------------------------------------
# Helpers of the stages
# ------------------------------------------------------------------------------------------

def solver_options(cfg: ProposeConfig, variant: Variant) -> SolverOptions:
    """The variant's ``[solver]`` settings, overridden by those given in ``cfg``."""
    return variant.solver.options(time_limit=cfg.time_limit, mip_rel_gap=cfg.mip_rel_gap, threads=cfg.threads,
                                  random_seed=cfg.seed, verbose=cfg.verbose, node_limit=cfg.node_limit)


#: Mean positive target (persons) from which the LP relaxation is tight enough for LP + RENS
#: (issue 13: at 23.6, a 4,000-household 4-week batch, LP + RENS ended at 1.27% where the plain
#: MIP reached 0.60%; a national half-year has ~44).
RENS_MIN_MEAN_TARGET = 30.0


def choose_strategy(strategy: Strategy, formulation: Formulation, inp: KoppelingInputs) -> Literal["mip", "rens"]:
    """``auto``: LP + RENS when targets are large compared with households (the LP relaxation is
    then within ~0.1% of the optimum, e.g. a national half-year: mean target ~44 persons);
    HiGHS branch-and-cut otherwise (weekly batches: targets of a few persons, weak LP that
    HiGHS's cuts close)."""
    if strategy != "auto":
        return strategy
    targets = inp.target[inp.target > 0]
    large = len(targets) > 0 and float(targets.mean()) >= RENS_MIN_MEAN_TARGET
    return "rens" if large and formulation == "aggregated" else "mip"


def locks_report(locks: pd.DataFrame | None, proposal: pd.DataFrame) -> dict:
    """Locks given and whether the proposal honours them: a fixed household linked to its
    gemeente, no household linked to a gemeente forbidden for it (a lock that the model could
    not honour, e.g. for want of a dwelling left after other links, is listed, never hidden)."""
    if locks is None or locks.empty:
        return {"fix": 0, "forbid": 0, "not_honoured": []}
    linked = proposal.set_index("household_id")
    placed = linked["gm_code"].where(linked["status"].eq("linked"), "")
    rows = []
    for hid, gm, action in zip(locks["household_id"], locks["gm_code"], locks["action"]):
        got = str(placed.get(hid, ""))
        if (action == "fix" and got != gm) or (action == "forbid" and got == gm):
            rows.append({"household_id": hid, "gm_code": gm, "action": action, "proposed": got})
    return {"fix": int(locks["action"].eq("fix").sum()), "forbid": int(locks["action"].eq("forbid").sum()),
            "not_honoured": rows}


def run_record(cfg: ProposeConfig, data: Validated, ctx: Context, sol: Solution, tables: Tables,
               timings: Timings) -> dict:
    """The run record: inputs, variant, the solver's status, objective, bound and gap as HiGHS
    gave them, the objective recomputed from the tables, terms, counts and timings."""
    r = sol.result
    variant = data.variant
    inp = ctx.inputs
    proposal = tables.proposal
    counts = proposal["status"].value_counts().to_dict()
    record = RunRecord(
        command=cfg.command,
        inputs=inputs_record({"households": cfg.households, "state": cfg.state, "locks": cfg.locks,
                              "previous": cfg.previous, "scores": cfg.scores, "allowed": cfg.allowed,
                              "capacities": cfg.capacities}, cfg.relative_to),
        variant={"name": variant.name, "file": variant.source, "sha256": variant.sha256,
                 "weights": variant.weights.model_dump(), "options": variant.options.model_dump(),
                 "objective": variant.objective.model_dump()},
        status=r.status.value, objective=r.objective, bound=r.bound, gap=r.gap,
        notes=sol.notes,
    )
    extra = {
        "as_of": ctx.as_of,
        "population": cfg.population or {"period": None, "reference_date": None, "statutory_reference_date": None,
                                         "source": "not known here: the targets come from the given state",
                                         "fallback": None},
        "formulation": cfg.formulation,
        "solver": {**r.record(), "build_seconds": sol.build_seconds},
        "objective_from_tables": sol.objective,
        "terms_raw": sol.terms,
        "terms_weighted": sol.weighted,
        "households": {"in_file": len(data.households), "linked": int(counts.get("linked", 0)),
                       "unplaced": int(counts.get("unplaced", 0)), "excluded": int(counts.get("excluded", 0)),
                       "context": int(counts.get("context", 0)),
                       "persons_linked": int(proposal.loc[proposal["status"] == "linked", "persons"].sum())},
        "model_size": {"units": len(inp.unit_count), "options": len(inp.opt_unit), "zones": int(inp.zone_of.max() + 1),
                       "variables": r.n_variables, "integer_variables": r.n_integer, "constraints": r.n_constraints},
        "objective_unit": "points: the weighted sum of the named terms; a weight is the points one unit of its "
                          "term costs (variant [weights]; units in models/koppeling_terms.toml, docs/model.md)",
        "alternatives_method": METHOD,
        "fairness": {**fairness_summary(tables.gemeenten), **tables.fairness_headline},
        "time_budget": timings.budget,
        **cfg.extra_record,
    }
    extra["locks"] = locks_report(data.locks, proposal)
    extra["gap_of_change"] = gap_of_change(inp, r.objective, r.bound)
    record.notes = [*record.notes, *data.placement.notes]
    if sol.comparison.get("locks_cost"):
        extra["locks"]["cost"] = sol.comparison["locks_cost"]
    extra["against_previous"] = sol.comparison.get("against_previous")
    record.notes = [*record.notes, *(f"lock not honoured: {x['action']} household {x['household_id']} at {x['gm_code']}; "
                                     f"proposal: {x['proposed'] or 'not linked'}" for x in extra["locks"]["not_honoured"])]
    for key, value in extra.items():
        setattr(record, key, value)
    t = timings.seconds
    record.timings_seconds = {"read_validate": t["read_validate"], "inputs": t["inputs"], "build": t["build"],
                              "compile": r.compile_seconds, "solve": r.solve_seconds, "extract": t["extract"],
                              "explain": t["explain"], "changes": t.get("changes", 0.0),
                              "heuristic": (r.start or {}).get("seconds"), "total": timings.total()}
    return record.model_dump()


def _write_map(cfg: ProposeConfig, data: Validated, gem: pd.DataFrame, folder: Path, record: dict) -> str | None:
    """map.png of the deviation from target per gemeente, when boundaries are available."""
    if not cfg.make_map:
        return None
    if data.boundaries is None:
        record["notes"].append("no gemeente boundaries available: map.png not drawn (give --boundaries FILE)")
        return None
    from optimizer.report.maps import deviation_map

    h = record["households"]
    title = (f"Koppeling proposal: persons linked vs batch target per gemeente\n"
             f"{h['linked']} households ({h['persons_linked']} persons) linked, variant {record['variant']['name']}")
    deviation_map(gem, data.boundaries, folder / "map.png", title)  # boundaries: geo.Shapes
    return "map.png"
