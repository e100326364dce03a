"""CLI commands for reception places: ``spreiding reception`` and ``spreiding compare``.

Registered on the main app by ``optimizer.cli``::

    app.command("reception")(cli_reception.reception)
    app.command("compare")(cli_reception.compare)

Bad input (a broken variant file, unknown gemeente codes, a missing data file, an infeasible
variant) prints the input-error report to stderr and exits with code 2, without a traceback
and without leaving half-written output.
"""

from __future__ import annotations

from pathlib import Path

import typer

from optimizer.core.errors import EXIT_INPUT_ERROR, InputError


def _fail(exc: InputError) -> None:
    typer.echo("Input error:\n" + exc.report(), err=True)
    raise typer.Exit(EXIT_INPUT_ERROR)


def _data_overrides(reception_file: Path | None) -> dict:
    if reception_file is None:
        return {}
    from optimizer.data import dataset
    return {"existing": dataset.load_reception(reception_file)}


def reception(
    variant: str = typer.Option(..., "--variant", "-v", help="reception variant: a .toml file or a name in "
                                "models/variants (e.g. bonus-only or reception-bonus-only)"),
    out: Path = typer.Option(..., "--out", "-o", help="output folder (places.csv, provinces.csv, run.json)"),
    reception_file: Path | None = typer.Option(None, "--reception", help="existing reception places per gemeente "
                                                  "(gm_code, reception_places); replaces the modelled default"),
    time_limit: float | None = typer.Option(None, "--time-limit", help="seconds per solve (overrides the variant)"),
) -> None:
    """Distribute reception places for one variant and report payments per gemeente."""
    from optimizer.reception import run as rec
    from optimizer.reception.variant import load_variant
    try:
        v = load_variant(variant)
        options = rec.solver_options(v, time_limit=time_limit)
        res = rec.run(v.source, out, options=options, variant=v, **_data_overrides(reception_file))
    except InputError as exc:
        _fail(exc)
        return
    s = res.summary
    typer.echo(f"{s['variant']}: {s['total_places']:,} places ({s['new_places']:,} new) in "
               f"{int((res.places['places'] > 0).sum())} gemeenten; status {s['status']}, gap {s['gap'] or 0:.2e}")
    if res.prepared.rule is not None:
        typer.echo(f"  bonuses EUR {s['bonus_total_eur']:,}, maluses EUR {s['malus_total_eur']:,}, "
                   f"net cost to the State EUR {s['net_cost_state_eur']:,} per year")
    typer.echo(f"  written to {out}")


def compare(
    variants: list[str] = typer.Argument(..., help="two or more reception variants (.toml files or names)"),
    out: Path = typer.Option(..., "--out", "-o", help="output folder"),
    sweep: str | None = typer.Option(None, "--sweep", help="objective weight to sweep: deviation, site_cost "
                                        "or financing (writes pareto.csv and pareto.png)"),
    sweep_from: float | None = typer.Option(None, "--from", help="first weight value of the sweep"),
    sweep_to: float | None = typer.Option(None, "--to", help="last weight value of the sweep"),
    steps: int = typer.Option(5, "--steps", help="weight values in the sweep (evenly spaced)"),
    workers: int | None = typer.Option(None, "--workers", help="parallel processes (default: all cores)"),
    reception_file: Path | None = typer.Option(None, "--reception", help="existing reception places per "
                                                  "gemeente for every variant"),
    time_limit: float | None = typer.Option(None, "--time-limit", help="seconds per solve"),
) -> None:
    """Solve several reception variants and compare them (table, Lorenz curves, payments)."""
    from optimizer.reception import compare as cmp
    from optimizer.solve.highs import SolverOptions
    try:
        sw = cmp.check_sweep(sweep, sweep_from, sweep_to, steps) if sweep is not None else None
        options = SolverOptions(time_limit=time_limit, threads=1, random_seed=0) if time_limit else None
        table = cmp.compare(variants, out, sweep=sw, workers=workers, options=options,
                            data=_data_overrides(reception_file))
    except InputError as exc:
        _fail(exc)
        return
    cols = ["variant", "total_places", "gini", "zero_places", "gemeenten_paying", "gemeenten_receiving",
            "net_cost_state_eur"]
    typer.echo(table[cols].to_string(index=False, float_format=lambda x: f"{x:.4f}"))
    typer.echo(f"written to {out}")
