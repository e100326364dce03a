"""``spreiding simulate``: weekly linking policies over a half-year against the hindsight
optimum, scenarios x policies x variants as Dask tasks (``docs/simulation.md``)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer

from optimizer.cli.common import Gap, OutDir, Quiet, TimeLimit, check_at_least, command, parse_period, setup_logging
from optimizer.core.errors import InputError, Violation

POLICY_NAMES = ("baseline", "weekly", "lookahead")


def parse_seeds(text: str) -> tuple[int, ...]:
    """``1-20`` or ``1,2,5`` -> seeds (each >= 0, at least one)."""
    try:
        seeds: list[int] = []
        for part in text.split(","):
            a, _, b = part.strip().partition("-")
            seeds += list(range(int(a), int(b) + 1)) if b else [int(a)]
    except ValueError:
        raise InputError(Violation("--seeds", "expected seeds like 1-20 or 1,2,5", value=text)) from None
    if not seeds or min(seeds) < 0:
        raise InputError(Violation("--seeds", "expected at least one seed, each >= 0", value=text))
    return tuple(dict.fromkeys(seeds))


def parse_names(text: str, option: str, allowed: tuple[str, ...] | None = None) -> tuple[str, ...]:
    """A comma-separated list; every name in ``allowed`` when given."""
    names = tuple(n.strip() for n in text.split(",") if n.strip())
    if not names:
        raise InputError(Violation(option, "expected at least one name", value=text))
    bad = [n for n in names if allowed is not None and n not in allowed]
    if bad:
        raise InputError(Violation(option, f"expected names from {', '.join(allowed or ())}", value=",".join(bad)))
    return names


def check_provinces(codes: tuple[str, ...]) -> tuple[str, ...]:
    """Province codes of the dataset (PV20..PV31); ``all``: every gemeente."""
    from optimizer.data import dataset

    if codes == ("all",):
        return ()
    known = set(dataset.load_gemeenten()["provincie_code"])
    bad = [c for c in codes if c not in known]
    if bad:
        raise InputError(Violation("--provinces", f"expected 'all' or province codes from {', '.join(sorted(known))}",
                                   value=",".join(bad)))
    return codes


@command
def simulate(
    out: OutDir,
    period: Annotated[str, typer.Option("--period", help="Half-year to simulate, e.g. 2025-H2.")] = "2025-H2",
    weeks: Annotated[int, typer.Option("--weeks", help="Weekly batches over the half-year (26: every week).")] = 26,
    scale: Annotated[float, typer.Option("--scale", help="Multiplies the national number and the dwelling offer "
                                                         "(0 < scale <= 1; small = quick).")] = 1.0,
    provinces: Annotated[str, typer.Option("--provinces", help="Scope: province codes (PV24,PV26) or 'all'.")] = "PV24",
    seeds: Annotated[str, typer.Option("--seeds", help="Scenario seeds: 1-20 or 1,2,5.")] = "1-4",
    policies: Annotated[str, typer.Option("--policies", help="baseline,weekly,lookahead (any of them).")] =
        "baseline,weekly,lookahead",
    variants: Annotated[str, typer.Option("--variants", help="Koppeling variants (weight sets): names or TOML files.")]
        = "default",
    hindsight: Annotated[bool, typer.Option("--hindsight/--no-hindsight", help="Solve the hindsight optimum.")] = True,
    serial: Annotated[bool, typer.Option("--serial", help="Run the tasks in this process, no Dask.")] = False,
    scheduler: Annotated[str | None, typer.Option("--scheduler", help="Address of an existing Dask scheduler "
                                                                      "(default: a LocalCluster of the cores).")] = None,
    workers: Annotated[int | None, typer.Option("--workers", help="LocalCluster workers (default: the cores).")] = None,
    store: Annotated[Path | None, typer.Option("--store", help="Folder of finished tasks, to resume (default: "
                                                               ".<out>.tasks next to --out).")] = None,
    national: Annotated[int | None, typer.Option("--national", help="National number of persons of the period "
                                                                    "(default: the dataset's).")] = None,
    backlog_share: Annotated[float, typer.Option("--backlog-share", help="Share of households waiting at the start.")]
        = 0.3,
    time_limit: TimeLimit = None,
    gap: Gap = None,
    quiet: Quiet = False,
) -> None:
    """Simulate a half-year of weekly koppelingen: policies against the hindsight optimum."""
    setup_logging(quiet)
    for name in ("optimizer.koppeling", "optimizer.solve"):  # one line per weekly solve is too much
        logging.getLogger(name).setLevel(logging.WARNING)
    from optimizer.core.tables import check_output_dir
    from optimizer.koppeling.variant import load_variant
    from optimizer.simulation.run import SimulationConfig, run_simulation
    from optimizer.simulation.scenario import Scenario

    problems: list[Violation] = []

    def check(fn, *args):
        try:
            return fn(*args)
        except InputError as exc:
            problems.extend(exc.violations)
            return None

    check(check_output_dir, out)
    p = check(parse_period, period)
    check(check_at_least, weeks, "--weeks", 1)
    if not 0 < scale <= 1:
        problems.append(Violation("--scale", "expected a number > 0 and <= 1", value=scale))
    if not 0 <= backlog_share <= 1:
        problems.append(Violation("--backlog-share", "expected a share between 0 and 1", value=backlog_share))
    if workers is not None and workers < 1:
        problems.append(Violation("--workers", "expected a whole number >= 1", value=workers))
    if serial and scheduler:
        problems.append(Violation("--scheduler", "give --serial or --scheduler, not both", value=scheduler))
    if time_limit is not None and not time_limit > 0:
        problems.append(Violation("--time-limit", "expected a number of seconds > 0", value=time_limit))
    if gap is not None and not 0 <= gap < 1:
        problems.append(Violation("--gap", "expected a relative gap between 0 and 1", value=gap))
    seed_list = check(parse_seeds, seeds)
    pols = check(parse_names, policies, "--policies", POLICY_NAMES)
    vars_ = check(parse_names, variants, "--variants")
    scope = check(check_provinces, tuple(c.strip().upper() if c.strip() != "all" else "all"
                                         for c in provinces.split(",") if c.strip()))
    for v in vars_ or ():
        check(load_variant, v)
    if p is not None:
        from optimizer.rules.taakstelling import national_total

        check(national_total, p, national)
    if problems:
        raise InputError(problems)
    scenario = Scenario(period=str(p), weeks=weeks, scale=scale, provinces=scope, national=national,
                        backlog_share=backlog_share)
    cfg = SimulationConfig(out=out, scenario=scenario, seeds=seed_list, policies=pols, variants=vars_,
                           hindsight=hindsight, scheduler="serial" if serial else scheduler, workers=workers,
                           store=store, time_limit=time_limit, gap=gap, progress=not quiet)
    record = run_simulation(cfg)
    failed = record["tasks"]["failed"]
    if failed:
        for f in failed:
            typer.echo(f"task failed: policy {f['policy']}, variant {f['variant']}, seed {f['seed']}: {f['error']}",
                       err=True)
        raise typer.Exit(1)
