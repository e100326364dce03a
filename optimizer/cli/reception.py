"""Commands of the reception side: ``reception`` and ``compare``.

Bad input (a broken variant file, unknown gemeente codes, a missing data file, an infeasible
variant) goes through the one error handler (:func:`optimizer.cli.common.handle_errors`):
the report on stderr, exit code 2, no traceback, no half-written output.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from optimizer.cli.common import (
    Gap,
    OutDir,
    Quiet,
    ReportLang,
    Seed,
    Threads,
    TimeLimit,
    Verbose,
    check_at_least,
    check_solver_options,
    command,
    setup_logging,
)
from optimizer.cli.evaluation import KoppelingBatch, KoppelingDay, KoppelingState, compare_koppeling

ReceptionFile = Annotated[Path | None, typer.Option(
    "--reception", help="Existing reception places per gemeente (gm_code, reception_places); replaces the modelled "
                        "default.")]


def _data_overrides(reception_file: Path | None) -> dict:
    if reception_file is None:
        return {}
    from optimizer.data import dataset
    return {"existing": dataset.load_reception(reception_file)}


@command
def reception(
    variant: Annotated[str, typer.Option("--variant", help="Reception variant: a .toml file or a name in "
                                                          "models/variants (e.g. bonus-only or reception-bonus-only).")],
    out: OutDir,
    reception_file: ReceptionFile = None,
    time_limit: TimeLimit = None, gap: Gap = None, threads: Threads = None, seed: Seed = None,  # HiGHS
    lang: ReportLang = "nl",
    verbose: Verbose = False,
    quiet: Quiet = False,
) -> None:
    """Distribute reception places for one variant and report payments per gemeente."""
    setup_logging(quiet)
    from optimizer.reception import run as rec
    from optimizer.reception.variant import load_variant
    from optimizer.report.strings import check_lang

    check_lang(lang)
    check_solver_options(time_limit, gap, threads, seed)
    v = load_variant(variant)
    options = v.solver.options(time_limit=time_limit, mip_rel_gap=gap, threads=threads, random_seed=seed,
                               verbose=verbose)
    res = rec.run(v.source, out, options=options, variant=v, existing=reception_file, lang=lang)
    s = res.summary
    typer.echo(f"{s['variant']}: {s['total_places']:,} places ({s['new_places']:,} new) in "
               f"{int((res.places['places'] > 0).sum())} gemeenten; status {s['status']}, gap {s['gap'] or 0:.2e}")
    if res.prepared.rule is not None:
        typer.echo(f"  bonuses EUR {s['bonus_total_eur']:,}, maluses EUR {s['malus_total_eur']:,}, "
                   f"net cost to the State EUR {s['net_cost_state_eur']:,} per year")
    typer.echo(f"  written to {out} (report: {out / 'report.html'})")


@command
def compare(
    variants: Annotated[list[str], typer.Argument(help="Two or more reception variants (.toml files or names), or "
                                                       "koppeling variants with --households and --state.")],
    out: OutDir,
    sweep: Annotated[str | None, typer.Option(
        "--sweep", help="Objective weight to sweep: deviation, site_cost or financing (writes pareto.csv and "
                        "pareto.png).")] = None,
    sweep_from: Annotated[float | None, typer.Option("--from", help="First weight value of the sweep.")] = None,
    sweep_to: Annotated[float | None, typer.Option("--to", help="Last weight value of the sweep.")] = None,
    steps: Annotated[int, typer.Option("--steps", help="Weight values in the sweep (evenly spaced).")] = 5,
    workers: Annotated[int | None, typer.Option("--workers", help="Parallel processes (default: all cores).")] = None,
    reception_file: ReceptionFile = None,
    time_limit: TimeLimit = None,
    households: KoppelingBatch = None, state: KoppelingState = None, day: KoppelingDay = None,
    lang: ReportLang = "nl",
    quiet: Quiet = False,
) -> None:
    """Solve several reception variants and compare them (table, Lorenz curves, payments); or koppeling
    variants on one batch (--households, --state): metrics side by side, households that move and why."""
    from optimizer.reception import compare as cmp
    from optimizer.report.strings import check_lang

    setup_logging(quiet)
    check_lang(lang)
    if compare_koppeling(variants, out, households, state, day, time_limit, lang,
                         {"--sweep": sweep, "--reception": reception_file}):
        return
    check_solver_options(time_limit, None, None, None)
    check_at_least(workers, "--workers", 1)
    sw = cmp.check_sweep(sweep, sweep_from, sweep_to, steps) if sweep is not None else None
    table = cmp.compare(variants, out, sweep=sw, workers=workers, solver={"time_limit": time_limit},
                        data=_data_overrides(reception_file), lang=lang)
    cols = ["variant", "total_places", "gini", "zero_places", "gemeenten_paying", "gemeenten_receiving",
            "net_cost_state_eur"]
    typer.echo(table[cols].to_string(index=False, float_format=lambda x: f"{x:.4f}"))
    typer.echo(f"written to {out} (report: {out / 'report.html'})")
