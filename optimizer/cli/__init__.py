"""Command-line interface: ``spreiding <command>``.

Commands read like the user's task: ``taakstelling``, ``state``, ``households``, ``propose``,
``reception``, ``compare`` and ``demo``. Bad input prints every violation (file, row, column,
value, rule) to stderr and exits with code 2; nothing is written.
"""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import typer

from optimizer.core.errors import EXIT_INPUT_ERROR, InputError, Violation

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="spreiding: transparent optimisation for the Dutch asylum chain "
                       "(koppeling of statushouders, reception places, fairness).")
log = logging.getLogger("spreiding")


def _setup_logging(quiet: bool) -> None:
    logging.basicConfig(level=logging.WARNING if quiet else logging.INFO, format="%(message)s", stream=sys.stderr,
                        force=True)
    logging.getLogger("pyomo").setLevel(logging.ERROR)


def handle_errors(fn: Callable) -> Callable:
    """Turn InputError into a clear report on stderr and exit code 2 (no traceback)."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except InputError as exc:
            n = len(exc.violations)
            typer.echo(f"error: {n} problem{'s' if n != 1 else ''} in the input; nothing was written.", err=True)
            typer.echo(exc.report(), err=True)
            raise typer.Exit(EXIT_INPUT_ERROR) from None
        except RuntimeError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(1) from None
    return wrapper


def _date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise InputError(Violation(option, "expected a date YYYY-MM-DD", value=value)) from None


def _period(value: str):
    from optimizer.core.periods import Period
    try:
        return Period.parse(value)
    except ValueError as exc:
        raise InputError(Violation("--period", str(exc), value=value)) from None


def _rounding(value: str) -> str:
    if value not in ("up", "nearest"):
        raise InputError(Violation("--rounding", "expected 'up' (the law: round up) or 'nearest'", value=value))
    return value


@app.command()
@handle_errors
def taakstelling(
    period: str = typer.Option(..., help="Half-year, e.g. 2025-H2."),
    out: Path = typer.Option(..., help="Output file (.csv, .xlsx or .parquet)."),
    national: int | None = typer.Option(None, help="National number of persons (default: from the dataset)."),
    rounding: str = typer.Option("up", help="'up' (Huisvestingswet art. 29: round up) or 'nearest'."),
    population: Path | None = typer.Option(None, help="Population file (gm_code, population) for the reference date."),
    realised: Path | None = typer.Option(None, help="Persons housed in earlier half-years (gm_code, period, housed[, target])."),
    swaps: Path | None = typer.Option(None, help="Uitruil agreements (swap_id, gm_code, delta)."),
    at: str | None = typer.Option(None, "--date", help="Pace date within the half-year (YYYY-MM-DD)."),
    linked: Path | None = typer.Option(None, help="Persons linked so far this half-year (gm_code, linked)."),
    quiet: bool = typer.Option(False, "--quiet", "-q"),
) -> None:
    """Statutory taakstelling per gemeente, with carry-over, uitruil and pace."""
    _setup_logging(quiet)
    from optimizer.core.tables import atomic_output_file, check_output_suffix, write_table
    from optimizer.data import schemas
    from optimizer.rules.taakstelling import build_targets

    check_output_suffix(out)
    p = _period(period)
    day = _date(at, "--date")
    table = build_targets(
        p, national=national, rounding=_rounding(rounding), population_path=population,
        realised=schemas.load_realised(realised) if realised else None,
        swaps=schemas.load_swaps(swaps) if swaps else None, day=day,
        linked=schemas.load_linked(linked) if linked else None)
    with atomic_output_file(out) as tmp:
        write_table(table.reset_index(), tmp)
    log.info("taakstelling %s: %d gemeenten, national %d, sum %d (rounding: %s) -> %s", p, len(table),
             int(table["national"].iloc[0]), int(table["taakstelling"].sum()), rounding, out)


@app.command()
@handle_errors
def state(
    period: str = typer.Option(..., help="Half-year, e.g. 2025-H2."),
    at: str = typer.Option(..., "--date", help="Batch date (YYYY-MM-DD) within the half-year."),
    out: Path = typer.Option(..., help="Output file (.csv, .xlsx or .parquet)."),
    national: int | None = typer.Option(None),
    rounding: str = typer.Option("up"),
    population: Path | None = typer.Option(None),
    realised: Path | None = typer.Option(None),
    swaps: Path | None = typer.Option(None),
    linked: Path | None = typer.Option(None),
    housing: Path | None = typer.Option(None, help="Own dwelling offers / pressure file replacing the modelled one."),
    batch_days: int = typer.Option(7, help="Days covered by the batch (for the pace increment)."),
    leefbaarheid_share: float | None = typer.Option(
        None, help="Cap households per gemeente at this share of its expected corporation lettings (e.g. 0.25)."),
    quiet: bool = typer.Option(False, "--quiet", "-q"),
) -> None:
    """Gemeente state for a koppeling batch (targets, dwellings, pressure) from the embedded data."""
    _setup_logging(quiet)
    from optimizer.core.tables import atomic_output_file, check_output_suffix, write_table
    from optimizer.data import schemas
    from optimizer.rules.state import build_state

    check_output_suffix(out)
    table = build_state(
        _period(period), _date(at, "--date"), national=national, rounding=_rounding(rounding),
        population_path=population, realised=schemas.load_realised(realised) if realised else None,
        swaps=schemas.load_swaps(swaps) if swaps else None,
        linked=schemas.load_linked(linked) if linked else None, housing_path=housing, batch_days=batch_days,
        leefbaarheid_share=leefbaarheid_share)
    with atomic_output_file(out) as tmp:
        write_table(table, tmp)
    log.info("state for %s on %s: batch target %.0f persons -> %s", period, at, table["target"].sum(), out)


@app.command()
@handle_errors
def households(
    n: int = typer.Option(..., help="Number of households awaiting a koppeling."),
    seed: int = typer.Option(1, help="Random seed: same seed, same file."),
    out: Path = typer.Option(..., help="Output file (.csv, .xlsx or .parquet)."),
    as_of: str | None = typer.Option(None, help="Date of the batch (YYYY-MM-DD); default 2025-09-01."),
    quiet: bool = typer.Option(False, "--quiet", "-q"),
) -> None:
    """Synthetic statushouder households (realistic, no personal data) for demos and benchmarks."""
    _setup_logging(quiet)
    from optimizer.core.tables import atomic_output_file, check_output_suffix, write_table
    from optimizer.data.synthetic import generate_households

    check_output_suffix(out)
    if n < 1:
        raise InputError(Violation("--n", "expected a whole number >= 1", value=n))
    kwargs = {"as_of": _date(as_of, "--as-of")} if as_of else {}
    df = generate_households(n, seed, **kwargs)
    with atomic_output_file(out) as tmp:
        write_table(df, tmp)
    log.info("%d households (%d persons) -> %s", len(df), int(df["persons"].sum()), out)


@app.command()
@handle_errors
def propose(
    households_file: Path = typer.Option(..., "--households", help="Households awaiting a koppeling."),
    out: Path = typer.Option(..., help="Output folder."),
    state_file: Path | None = typer.Option(None, "--state", help="Gemeente state; default: built from --period/--date."),
    period: str | None = typer.Option(None, help="With --date: build the state from the embedded data."),
    at: str | None = typer.Option(None, "--date", help="Batch date (YYYY-MM-DD); also the date for waiting time."),
    variant: str = typer.Option("default", help="Variant name in models/variants or a .toml path."),
    lock: Path | None = typer.Option(None, help="Locks (household_id, gm_code, action=fix|forbid)."),
    previous: Path | None = typer.Option(None, help="A previous proposal.csv: change as few links as needed."),
    scores: Path | None = typer.Option(None, help="Own employment scores (household_id, amr_code, score)."),
    time_limit: float = typer.Option(60.0, help="Seconds for HiGHS (it may overshoot by up to ~50%)."),
    gap: float = typer.Option(1e-3, help="Relative MIP gap at which HiGHS stops."),
    threads: int = typer.Option(1, help="HiGHS threads (1 = deterministic)."),
    seed: int = typer.Option(0, help="HiGHS random seed."),
    formulation: str = typer.Option("aggregated", help="'aggregated' (fast) or 'per_household' (reference)."),
    strategy: str = typer.Option("auto", help="'auto', 'mip' or 'rens' (LP + RENS warm start)."),
    xlsx: bool = typer.Option(True, help="Also write .xlsx copies of the tables."),
    boundaries: Path | None = typer.Option(None, help="Gemeente boundaries (GeoJSON/GeoPackage) for map.png; "
                                                          "default: the PDOK file in ../shared/data/raw if present."),
    make_map: bool = typer.Option(True, "--map/--no-map", help="Draw map.png when boundaries are available."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Show the HiGHS log."),
    quiet: bool = typer.Option(False, "--quiet", "-q"),
) -> None:
    """Propose a koppeling: every household to a gemeente, explained term by term."""
    _setup_logging(quiet)
    from optimizer.koppeling.run import ProposeConfig, run_propose

    if not time_limit > 0:
        raise InputError(Violation("--time-limit", "expected a number of seconds > 0", value=time_limit))
    if not 0 <= gap < 1:
        raise InputError(Violation("--gap", "expected a relative gap between 0 and 1 (e.g. 0.001)", value=gap))
    if formulation not in ("aggregated", "per_household"):
        raise InputError(Violation("--formulation", "expected 'aggregated' or 'per_household'", value=formulation))
    if strategy not in ("auto", "mip", "rens"):
        raise InputError(Violation("--strategy", "expected 'auto', 'mip' or 'rens'", value=strategy))
    day = _date(at, "--date")
    if state_file is None:
        if period is None or day is None:
            raise InputError(Violation("--state", "give a state file, or --period and --date to build one"))
        from optimizer.rules.state import build_state
        state_src = build_state(_period(period), day)
    else:
        state_src = state_file
    cfg = ProposeConfig(households=households_file, state=state_src, out=out, variant=variant, locks=lock,
                        previous=previous, scores=scores, as_of=day, time_limit=time_limit, mip_rel_gap=gap,
                        threads=threads, seed=seed, formulation=formulation, strategy=strategy,  # type: ignore[arg-type]
                        formats=("csv", "xlsx") if xlsx else ("csv",), verbose=verbose,
                        boundaries=boundaries, make_map=make_map)
    record = run_propose(cfg)
    _summary(record)


def _summary(record: dict) -> None:
    h = record["households"]
    gap = "unknown" if record["gap"] is None else f"{record['gap']:.4%}"
    bound = "none" if record["bound"] is None else f"{record['bound']:.2f}"
    typer.echo(f"status {record['status']}, objective {record['objective']:.2f}, bound {bound}, "
               f"gap {gap}; linked {h['linked']} households ({h['persons_linked']} persons), "
               f"unplaced {h['unplaced']}, excluded {h['excluded']}; "
               f"{record['timings_seconds']['total']:.1f} s")


@app.command()
@handle_errors
def demo(
    out: Path = typer.Option(Path("out/demo"), help="Output folder."),
    n: int = typer.Option(450, help="Households in the synthetic weekly batch."),
    seed: int = typer.Option(1, help="Seed of the synthetic batch."),
    period: str = typer.Option("2025-H2", help="Half-year."),
    at: str = typer.Option("2025-08-04", "--date", help="Batch date."),
    quiet: bool = typer.Option(False, "--quiet", "-q"),
) -> None:
    """End to end on the embedded data: taakstelling, synthetic weekly batch, state, proposal."""
    _setup_logging(quiet)
    from optimizer.core.tables import atomic_output_dir, write_table
    from optimizer.data.synthetic import generate_households
    from optimizer.koppeling.run import ProposeConfig, run_propose
    from optimizer.rules.state import build_state
    from optimizer.rules.taakstelling import build_targets

    p = _period(period)
    day = _date(at, "--date")
    with atomic_output_dir(out) as tmp:
        taak = build_targets(p)
        write_table(taak.reset_index(), tmp / "taakstelling.csv")
        log.info("taakstelling %s: national %d over %d gemeenten (rounding up, Huisvestingswet art. 29)",
                 p, int(taak["national"].iloc[0]), len(taak))
        hh = generate_households(n, seed, as_of=day)
        write_table(hh, tmp / "households.csv")
        log.info("synthetic weekly batch: %d rows, %d persons (seed %d)", len(hh), int(hh["persons"].sum()), seed)
        st = build_state(p, day)
        write_table(st, tmp / "state.csv")
        cfg = ProposeConfig(households=tmp / "households.csv", state=tmp / "state.csv", out=tmp / "proposal",
                            as_of=day, command="demo", relative_to=tmp)
        record = run_propose(cfg)
    _summary(record)
    typer.echo(f"demo outputs in {out}/ (taakstelling.csv, households.csv, state.csv, proposal/)")


def _register_optional() -> None:
    """Reception and comparison commands (optimizer.cli.reception), when present."""
    try:
        from optimizer.cli import reception as cli_reception
    except ImportError:  # pragma: no cover
        return
    for name in ("reception", "compare"):
        fn = getattr(cli_reception, name, None)
        if fn is not None:
            app.command(name)(fn)


_register_optional()


def main() -> None:
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
