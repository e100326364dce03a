"""Reception places for one variant: ``load -> validate -> inputs -> build -> solve -> extract -> write``.

Each stage is a function that can be called on its own:

1. :func:`load` (:mod:`optimizer.reception.inputs`) — read the gemeenten, existing places,
   Spreidingswet file, provincial totals and base taakstelling the variant needs;
2. :func:`validate` — the variant against the data (gemeente codes, national total);
3. :func:`inputs` — key shares, provincial totals, integer fair shares, limits, the bonus-malus
   numbers and a feasibility pre-check -> :class:`Prepared`;
4. :func:`build` (:mod:`optimizer.reception.solve`) — the Pyomo model
   (:func:`models.reception.build_model`);
5. :func:`solve` — HiGHS; a budget-neutral scheme is re-solved until its bonus rate settles;
6. :func:`extract` (:mod:`optimizer.reception.extract`) — places per gemeente and province,
   payments re-computed with :mod:`optimizer.rules.bonus_malus`, verevening, objective terms;
7. :func:`write` (:mod:`optimizer.reception.write`) — ``places.csv``, ``provinces.csv``,
   ``taakstelling_adjusted.csv`` (verevening) and ``run.json``;
8. ``report`` (:mod:`optimizer.reception.report`) — ``report.html`` and ``report.xlsx``.

:func:`prepare` chains stages 1-3, :func:`solve_variant` stages 1-6 and :func:`run` all of
them into an output folder written atomically (nothing on failure).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from optimizer.core.tables import atomic_output_dir, check_output_dir
from optimizer.reception.extract import ReceptionResult, adjust_taakstelling, extract
from optimizer.reception.inputs import Prepared, ReceptionData, inputs, load, validate
from optimizer.reception.solve import Built, Solution, build, solve
from optimizer.reception.variant import ReceptionVariant, load_variant
from optimizer.reception.write import write
from optimizer.solve.highs import SolverOptions

__all__ = ["Built", "Prepared", "ReceptionData", "ReceptionResult", "Solution", "adjust_taakstelling", "build",
           "extract", "inputs", "load", "prepare", "run", "solve", "solve_variant", "validate", "write"]


def prepare(variant: ReceptionVariant, **data: Any) -> Prepared:
    """``load -> validate -> inputs``, timed. ``data`` (gemeenten, existing, indicative,
    taakstelling, provincial_totals) replaces the files the variant names."""
    t0 = time.perf_counter()
    loaded = load(variant, **data)
    t1 = time.perf_counter()
    loaded = validate(variant, loaded)
    t2 = time.perf_counter()
    prep = inputs(variant, loaded)
    t3 = time.perf_counter()
    prep.timings = {"load": t1 - t0, "validate": t2 - t1, "inputs": t3 - t2}
    return prep


def solve_variant(variant: ReceptionVariant, *, options: SolverOptions | None = None, **data: Any) -> ReceptionResult:
    """``load -> validate -> inputs -> build -> solve -> extract``, without writing."""
    prep = prepare(variant, **data)
    built = build(prep.inputs)
    sol = solve(prep, built, options)
    return extract(prep, sol)


def run(variant_path: str | Path, out: str | Path, *, options: SolverOptions | None = None,
        variant: ReceptionVariant | None = None, lang: str = "nl", **data: Any) -> ReceptionResult:
    """Solve one variant and write its outputs and report (in ``lang``) into ``out``
    atomically (nothing on failure)."""
    from optimizer.reception.report import report

    check_output_dir(out)  # before any solve
    variant = variant or load_variant(variant_path)
    t0 = time.perf_counter()
    res = solve_variant(variant, options=options, **data)
    with atomic_output_dir(out) as tmp:
        res.timings["total"] = time.perf_counter() - t0
        write(res, tmp)
        report(res, tmp, lang)
    return res
