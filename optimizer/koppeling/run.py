"""``spreiding propose``: files -> validated frames -> model -> HiGHS -> explained proposal files.

All inputs are validated before anything is built; every violation in every file is reported
at once. Outputs are written to a temporary folder and moved into place only when complete.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal

import pandas as pd

from optimizer.core.errors import InputError
from optimizer.core.runrecord import RunRecord, inputs_record, write_json
from optimizer.core.tables import atomic_output_dir, write_table
from optimizer.data import schemas
from optimizer.koppeling.extract import solve_koppeling
from optimizer.koppeling.inputs import Context, build_inputs
from optimizer.koppeling.scoring import load_scores
from optimizer.koppeling.tables import (
    fairness_summary,
    gemeenten_table,
    household_types_table,
    proposal_table,
    provinces_table,
)
from optimizer.koppeling.variant import Variant, load_variant

log = logging.getLogger(__name__)

Strategy = Literal["auto", "mip", "rens"]


@dataclass
class ProposeConfig:
    households: str | Path | pd.DataFrame
    state: str | Path | pd.DataFrame
    out: str | Path
    variant: str | Path | None = None
    locks: str | Path | None = None
    previous: str | Path | None = None
    scores: str | Path | None = None
    as_of: date | None = None
    time_limit: float | None = None  # None: the variant's [solver] section decides
    mip_rel_gap: float | None = None
    threads: int | None = None
    seed: int | None = None
    formulation: Literal["aggregated", "per_household"] = "aggregated"
    strategy: Strategy = "auto"
    formats: tuple[str, ...] = ("csv", "xlsx")
    verbose: bool = False
    command: str = "propose"
    extra_record: dict = field(default_factory=dict)
    relative_to: Path | None = None  # record input paths relative to this folder (demo)
    make_map: bool = True  # map.png when gemeente boundaries are available
    boundaries: str | Path | None = None  # GeoJSON/GeoPackage; default: optimizer.data.geo.default_boundaries_path()


def load_all(cfg: ProposeConfig) -> tuple[pd.DataFrame, pd.DataFrame, Variant, pd.DataFrame | None,
                                            pd.Series | None, pd.DataFrame | None]:
    """Validate every input; raise one InputError with the violations of all files."""
    errors = []
    out: dict[str, object] = {}
    for name, fn in (("households", lambda: schemas.load_households(cfg.households)),
                     ("state", lambda: schemas.load_state(cfg.state)),
                     ("variant", lambda: load_variant(cfg.variant))):
        try:
            out[name] = fn()
        except InputError as exc:
            errors += exc.violations
    hh = out.get("households")
    for name, path, fn in (("locks", cfg.locks, lambda p: schemas.load_locks(p, hh)),
                           ("previous", cfg.previous, schemas.load_previous),
                           ("scores", cfg.scores, lambda p: load_scores(p, hh))):
        if path is None or (hh is None and name != "previous"):
            out[name] = None
            continue
        try:
            out[name] = fn(path)
        except InputError as exc:
            errors += exc.violations
    if errors:
        raise InputError(errors)
    return (out["households"], out["state"], out["variant"], out["locks"], out["previous"],  # type: ignore[return-value]
            out["scores"])


#: Mean positive target (persons) from which the LP relaxation is tight enough for LP + RENS.
RENS_MIN_MEAN_TARGET = 20.0


def choose_strategy(cfg: ProposeConfig, ctx: Context) -> str:
    """``auto``: LP + RENS when targets are large compared with households (the LP relaxation is
    then within ~0.1% of the optimum, e.g. a national half-year: mean target ~44 persons);
    HiGHS branch-and-cut otherwise (weekly batches: targets of a few persons, weak LP that
    HiGHS's cuts close)."""
    if cfg.strategy != "auto":
        return cfg.strategy
    targets = ctx.inputs.target[ctx.inputs.target > 0]
    large = len(targets) > 0 and float(targets.mean()) >= RENS_MIN_MEAN_TARGET
    return "rens" if large and cfg.formulation == "aggregated" else "mip"


def _write_map(cfg: ProposeConfig, gem: pd.DataFrame, folder: Path, record: dict) -> str | None:
    """map.png of the deviation from target per gemeente, when boundaries are available."""
    if not cfg.make_map:
        return None
    from optimizer.data.geo import load_boundaries
    from optimizer.report.maps import deviation_map

    boundaries = load_boundaries(cfg.boundaries)
    if boundaries is None:
        record["notes"].append("no gemeente boundaries available: map.png not drawn (give --boundaries FILE)")
        return None
    h = record["households"]
    title = (f"Koppeling proposal: persons linked vs batch target per gemeente\n"
             f"{h['linked']} households ({h['persons_linked']} persons) linked, variant {record['variant']['name']}")
    deviation_map(gem, boundaries, folder / "map.png", title)
    return "map.png"


def run_propose(cfg: ProposeConfig) -> dict:
    """Run a koppeling proposal end to end; return the run record (also written as run.json)."""
    t0 = time.perf_counter()
    households, state, variant, locks, previous, scores = load_all(cfg)
    t_read = time.perf_counter() - t0
    log.info("read %d households, %d gemeenten, variant %s", len(households), len(state), variant.name)
    t1 = time.perf_counter()
    ctx = build_inputs(households, state, variant, scores=scores, locks=locks, previous=previous, as_of=cfg.as_of)
    t_inputs = time.perf_counter() - t1
    inp = ctx.inputs
    log.info("%d households to decide in %d units (%d options); %d excluded, %d context rows",
             len(inp.hh_unit), len(inp.unit_count), len(inp.opt_unit), len(ctx.excluded), len(ctx.context_rows))
    strategy = choose_strategy(cfg, ctx)
    options = variant.solver.options(time_limit=cfg.time_limit, mip_rel_gap=cfg.mip_rel_gap, threads=cfg.threads,
                                     random_seed=cfg.seed, verbose=cfg.verbose)
    log.info("building and solving with HiGHS (%s, strategy %s, time limit %s s, gap %g)",
             cfg.formulation, strategy, options.time_limit, options.mip_rel_gap)
    sol = solve_koppeling(ctx, options, formulation=cfg.formulation, strategy=strategy)
    r = sol.result
    log.info("status %s, objective %.4f, bound %s, gap %s", r.status.value, r.objective, r.bound, r.gap)
    t2 = time.perf_counter()
    proposal = proposal_table(ctx, sol, households)
    gem = gemeenten_table(ctx, sol, households, state)
    provinces = provinces_table(gem)
    types = household_types_table(proposal)
    t_explain = time.perf_counter() - t2
    counts = proposal["status"].value_counts().to_dict()
    record = RunRecord(
        command=cfg.command,
        inputs=inputs_record({"households": cfg.households, "state": cfg.state, "locks": cfg.locks,
                              "previous": cfg.previous, "scores": cfg.scores}, cfg.relative_to),
        variant={"name": variant.name, "file": variant.source, "sha256": variant.sha256,
                 "weights": variant.weights.model_dump(), "options": variant.options.model_dump()},
        status=r.status.value, objective=r.objective, bound=r.bound, gap=r.gap,
        notes=sol.notes,
    )
    extra = {
        "as_of": ctx.as_of,
        "formulation": cfg.formulation,
        "solver": {**r.record(), "build_seconds": sol.build_seconds},
        "objective_from_tables": sol.objective,
        "terms_raw": sol.terms,
        "terms_weighted": sol.weighted,
        "households": {"in_file": len(households), "linked": int(counts.get("linked", 0)),
                       "unplaced": int(counts.get("unplaced", 0)), "excluded": int(counts.get("excluded", 0)),
                       "context": int(counts.get("context", 0)),
                       "persons_linked": int(proposal.loc[proposal["status"] == "linked", "persons"].sum())},
        "model_size": {"units": len(inp.unit_count), "options": len(inp.opt_unit), "zones": int(inp.zone_of.max() + 1),
                       "variables": r.n_variables, "integer_variables": r.n_integer, "constraints": r.n_constraints},
        "alternatives_method": "one-household move, all other links fixed (exact objective re-evaluation)",
        "fairness": fairness_summary(gem),
        **cfg.extra_record,
    }
    for key, value in extra.items():
        setattr(record, key, value)
    record.timings_seconds = {"read_validate": t_read, "inputs": t_inputs, "build": sol.build_seconds,
                              "compile": r.compile_seconds, "solve": r.solve_seconds, "explain": t_explain,
                              "total": time.perf_counter() - t0}
    record = record.model_dump()
    with atomic_output_dir(cfg.out) as tmp:
        for fmt in cfg.formats:
            write_table(proposal, tmp / f"proposal.{fmt}")
            write_table(gem, tmp / f"gemeenten.{fmt}")
            write_table(provinces, tmp / f"provinces.{fmt}")
            write_table(types, tmp / f"household_types.{fmt}")
        record["map"] = _write_map(cfg, gem, tmp, record)
        write_json(tmp / "run.json", record)
    if cfg.relative_to is None:  # the demo reports its own (final) folder
        log.info("wrote %s (linked %d, unplaced %d, excluded %d)", cfg.out, record["households"]["linked"],
                 record["households"]["unplaced"], record["households"]["excluded"])
    return record
