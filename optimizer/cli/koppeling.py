"""Commands of the housing side: ``taakstelling``, ``state``, ``households``, ``propose``, ``demo``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from optimizer.cli.common import (
    Gap,
    NodeLimit,
    OutDir,
    OutFile,
    Quiet,
    ReportLang,
    Seed,
    Threads,
    TimeLimit,
    Verbose,
    check_at_least,
    check_choice,
    check_rounding,
    check_solver_options,
    command,
    command_started,
    log,
    parse_date,
    parse_period,
    setup_logging,
)
from optimizer.core.errors import InputError, Violation
from optimizer.core.periods import Period

# Options of the taakstelling rules, shared by ``taakstelling`` and ``state`` ------------------
Period_ = Annotated[str, typer.Option("--period", help="Half-year, e.g. 2025-H2.")]
National = Annotated[int | None, typer.Option(
    "--national", help="National number of persons (default: the dataset, which has it up to 2026-H1).")]
PopulationYear = Annotated[int | None, typer.Option(
    "--population-year", help="Use the embedded population of 1 January of this year instead of the one the law "
                              "names (a fallback: recorded in the output and warned about).")]
Rounding = Annotated[str, typer.Option("--rounding", help="'up' (Huisvestingswet art. 29: round up) or 'nearest'.")]
Population, Realised, Swaps, Linked = (
    Annotated[Path | None, typer.Option(flag, help=text)]
    for flag, text in (("--population", "Population file (gm_code, population) for the period's reference date."),
                       ("--realised", "Persons housed in earlier half-years (gm_code, period, housed[, target])."),
                       ("--swaps", "Uitruil agreements (swap_id, gm_code, delta)."),
                       ("--linked", "Persons linked towards the half-year before this batch (gm_code, linked); "
                                    "default: on pace until --date minus --batch-days.")))
BatchDate = Annotated[str | None, typer.Option("--date", help=(
    "Batch date (YYYY-MM-DD), the same in `taakstelling`, `state` and `propose`: in the half-year, or from "
    "the previous half-year's koppel deadline to plan it ahead. The batch target is the cumulative pace target "
    "by this date minus linked before the batch (after the koppel deadline: all still missing; docs/cycle.md)."))]
BatchDays = Annotated[int, typer.Option(
    "--batch-days", help="Days covered by one batch: without --linked, COA is assumed on pace until --date minus "
                         "this, so the batch target is the pace increment over the batch.")]


def _population(period: Period, population: Path | None, population_year: int | None) -> dict | None:
    """The population ``period`` uses, as the run record's ``population`` section; a fallback is
    printed as a warning. ``None`` if it cannot be chosen (the build then reports why, together
    with every other problem)."""
    from optimizer.rules.taakstelling import choose_population

    try:
        choice = choose_population(period, population, population_year)
    except InputError:
        return None
    if choice.fallback:
        log.warning("warning: %s", choice.fallback)
    return choice.record()


def _rule_inputs(period: Period, national: int | None, rounding: str, population: Path | None,
                 population_year: int | None, realised: Path | None, swaps: Path | None,
                 linked: Path | None) -> dict[str, Any]:
    """Keyword arguments of :func:`optimizer.rules.taakstelling.build_targets` and
    :func:`optimizer.rules.state.build_state`, every file validated (a population fallback warned about)."""
    from optimizer.data import schemas

    _population(period, population, population_year)
    return {"national": national, "rounding": check_rounding(rounding), "population_path": population,
            "population_year": population_year,
            "realised": schemas.load_realised(realised) if realised else None,
            "swaps": schemas.load_swaps(swaps) if swaps else None,
            "linked": schemas.load_linked(linked) if linked else None}


def _write_one(table, out: Path) -> None:
    """Write one output table atomically (nothing on failure)."""
    from optimizer.core.tables import atomic_output_file, write_table

    with atomic_output_file(out) as tmp:
        write_table(table, tmp)


@command
def taakstelling(
    period: Period_,
    out: OutFile,
    national: National = None, rounding: Rounding = "up", population: Population = None,  # taakstelling rules
    population_year: PopulationYear = None, realised: Realised = None, swaps: Swaps = None,
    at: BatchDate = None, linked: Linked = None, batch_days: BatchDays = 7,
    quiet: Quiet = False,
) -> None:
    """Statutory taakstelling per gemeente, with carry-over, uitruil and pace.

    With --date: pace_target (persons that should be linked by the date, cumulative), linked (before the batch),
    batch_target (persons to link in the batch, the `target` of `spreiding state` on that date) and target_rule.
    """
    setup_logging(quiet)
    from optimizer.core.tables import check_output_suffix
    from optimizer.rules.taakstelling import build_targets

    check_output_suffix(out)
    p = parse_period(period)
    day = parse_date(at, "--date")
    check_at_least(batch_days, "--batch-days", 1)
    table = build_targets(p, day=day, batch_days=batch_days,
                          **_rule_inputs(p, national, rounding, population, population_year, realised, swaps, linked))
    _write_one(table.reset_index(), out)
    log.info("taakstelling %s: %d gemeenten, national %d, population of %s, sum %d (rounding: %s) -> %s", p,
             len(table), int(table["national"].iloc[0]), table["reference_date"].iloc[0],
             int(table["taakstelling"].sum()), rounding, out)
    if day is not None:
        from optimizer.rules.taakstelling import describe_rule
        log.info("batch on %s: %s; batch target %d persons", day, describe_rule(
            table.attrs["target_rule"], p, day, batch_days=batch_days, linked_given=linked is not None),
            int(table["batch_target"].sum()))


@command
def state(
    period: Period_,
    out: OutFile,
    at: BatchDate = None,
    whole_period: Annotated[bool, typer.Option(
        "--whole-period", help="Plan the whole half-year: target = period target - linked so far, dwellings of the "
                               "whole half-year (for a national half-year proposal); --date optional.")] = False,
    national: National = None, rounding: Rounding = "up", population: Population = None,  # taakstelling rules
    population_year: PopulationYear = None, realised: Realised = None, swaps: Swaps = None,
    linked: Linked = None,
    housing: Annotated[Path | None, typer.Option(
        "--housing", help="Own dwelling offers / pressure file replacing the modelled one.")] = None,
    offer_model: Annotated[str, typer.Option(
        "--offer-model", help="Modelled dwelling offers without --housing: 'obligation' (from each gemeente's "
                              "half-year target and housing pressure) or 'lettings' (8% of corporation lettings, "
                              "docs/data.md).")] = "obligation",
    batch_days: BatchDays = 7,
    leefbaarheid_share: Annotated[float | None, typer.Option(
        "--leefbaarheid-share",
        help="Cap households per gemeente at this share of its expected corporation lettings (e.g. 0.25).")] = None,
    quiet: Quiet = False,
) -> None:
    """Gemeente state for a koppeling batch or a whole half-year (targets, dwellings, pressure).

    Column target_rule says how the targets were set: pace, catch-up, before-start or whole-period.
    """
    setup_logging(quiet)
    from optimizer.core.tables import check_output_suffix
    from optimizer.rules.state import build_state

    check_output_suffix(out)
    check_at_least(batch_days, "--batch-days", 1)
    if at is None and not whole_period:
        raise InputError(Violation("--date", "give the batch date, or --whole-period to plan the whole half-year"))
    p = parse_period(period)
    check_choice(offer_model, "--offer-model", ("obligation", "lettings"))
    table = build_state(p, parse_date(at, "--date"), housing_path=housing, batch_days=batch_days,
                        leefbaarheid_share=leefbaarheid_share, whole_period=whole_period,
                        offer_model=offer_model,  # type: ignore[arg-type]
                        **_rule_inputs(p, national, rounding, population, population_year, realised, swaps, linked))
    table["target_rule"] = table.attrs["target_rule"]
    _write_one(table, out)
    log.info("state for %s (%s): target %.0f persons, dwellings %d -> %s", period, table.attrs["target_rule"],
             table["target"].sum(), int(table.filter(like="dwellings_c").to_numpy().sum()), out)


@command
def households(
    n: Annotated[int, typer.Option("--n", help="Number of households awaiting a koppeling.")],
    out: OutFile,
    seed: Annotated[int, typer.Option("--seed", help="Random seed: same seed, same file.")] = 1,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="Batch date (YYYY-MM-DD), as --date of `state` and `propose`: every permit date is on or "
                        "before it; default 2025-09-01.")] = None,
    quiet: Quiet = False,
) -> None:
    """Synthetic statushouder households (realistic, no personal data) for demos and benchmarks."""
    setup_logging(quiet)
    from optimizer.core.tables import check_output_suffix
    from optimizer.data.synthetic import generate_households

    check_output_suffix(out)
    check_at_least(n, "--n", 1)
    kwargs = {"as_of": parse_date(as_of, "--as-of")} if as_of else {}
    df = generate_households(n, seed, **kwargs)
    _write_one(df, out)
    log.info("%d households (%d persons) -> %s", len(df), int(df["persons"].sum()), out)


@command
def propose(
    households_file: Annotated[Path, typer.Option("--households", help="Households awaiting a koppeling.")],
    out: OutDir,
    state_file: Annotated[Path | None, typer.Option(
        "--state", help="Gemeente state; default: built from --period/--date.")] = None,
    period: Annotated[str | None, typer.Option(
        "--period", help="With --date: build the state from the embedded data.")] = None,
    at: Annotated[str | None, typer.Option(
        "--date", help="Batch date (YYYY-MM-DD); also the date for waiting time.")] = None,
    national: National = None, population: Population = None, population_year: PopulationYear = None,  # --period
    variant: Annotated[str, typer.Option("--variant", help="Variant name in models/variants or a .toml path.")]
    = "default",
    lock: Annotated[Path | None, typer.Option("--lock", help="Locks (household_id, gm_code, action=fix|forbid).")]
    = None,
    previous: Annotated[Path | None, typer.Option(
        "--previous", help="A previous proposal.csv: change as few links as needed.")] = None,
    scores: Annotated[Path | None, typer.Option(
        "--scores", help="Own scores: household_id, amr_code, score (per region) or household_id, gm_code, score "
                         "(per gemeente; a pair without a row is not allowed).")] = None,
    allowed: Annotated[Path | None, typer.Option(
        "--allowed", help="Allowed sets (household_id, gm_code): a household listed goes only to its gemeenten.")]
    = None,
    capacities: Annotated[Path | None, typer.Option(
        "--capacities", help="Capacities per gemeente and named resource (gm_code, resource, capacity); a resource "
                             "other than households/persons/adults/children is a column of the households file.")]
    = None,
    time_limit: TimeLimit = None, gap: Gap = None, threads: Threads = None, seed: Seed = None,  # HiGHS
    node_limit: NodeLimit = None,
    formulation: Annotated[str, typer.Option(
        "--formulation", help="'aggregated' (fast) or 'per_household' (reference).")] = "aggregated",
    strategy: Annotated[str, typer.Option("--strategy", help="'auto', 'mip' or 'rens' (LP + RENS warm start).")]
    = "auto",
    xlsx: Annotated[bool, typer.Option("--xlsx/--no-xlsx", help="Also write .xlsx copies of the tables (above 5,000 households report.xlsx then "
                                                            "points to proposal.xlsx for the households).")] = True,
    boundaries: Annotated[Path | None, typer.Option(
        "--boundaries", help="Gemeente boundaries (GeoJSON/GeoPackage) for the report's map and map.png; default: the embedded "
                             "data/boundaries.geojson (Bron: CBS, PDOK).")] = None,
    make_map: Annotated[bool, typer.Option("--map/--no-map", help="Also draw map.png (report.html has the same map; "
                                                                  "embedded boundaries by default).")]
    = False,
    lang: ReportLang = "nl",
    verbose: Verbose = False,
    quiet: Quiet = False,
) -> None:
    """Propose a koppeling: every household to a gemeente, explained term by term."""
    setup_logging(quiet)
    from optimizer.koppeling.run import ProposeConfig, run_propose
    from optimizer.report.strings import check_lang

    check_lang(lang)
    check_solver_options(time_limit, gap, threads, seed)
    check_at_least(node_limit, "--node-limit", 1)
    check_choice(formulation, "--formulation", ("aggregated", "per_household"))
    check_choice(strategy, "--strategy", ("auto", "mip", "rens"))
    day = parse_date(at, "--date")
    pop = None
    if state_file is None:
        if period is None or day is None:
            raise InputError(Violation("--state", "give a state file, or --period and --date to build one"))
        from optimizer.rules.state import build_state
        p = parse_period(period)
        pop = _population(p, population, population_year)
        state_src = build_state(p, day, national=national, population_path=population, population_year=population_year)
    else:
        state_src = state_file
    cfg = ProposeConfig(households=households_file, state=state_src, out=out, variant=variant, locks=lock,
                        previous=previous, scores=scores, allowed=allowed, capacities=capacities, as_of=day,
                        time_limit=time_limit, mip_rel_gap=gap, threads=threads, seed=seed, node_limit=node_limit,
                        formulation=formulation, strategy=strategy,  # type: ignore[arg-type]
                        formats=("csv", "xlsx") if xlsx else ("csv",), verbose=verbose,
                        boundaries=boundaries, make_map=make_map, population=pop, lang=lang,
                        started=command_started())
    _summary(run_propose(cfg))
    typer.echo(f"report: {out / 'report.html'}")


def _summary(record: dict) -> None:
    h = record["households"]
    gap = "unknown" if record["gap"] is None else f"{record['gap']:.4%}"
    bound = "none" if record["bound"] is None else f"{record['bound']:.2f}"
    typer.echo(f"status {record['status']}, objective {record['objective']:.2f}, bound {bound}, "
               f"gap {gap}; linked {h['linked']} households ({h['persons_linked']} persons), "
               f"unplaced {h['unplaced']}, excluded {h['excluded']}; "
               f"{record['timings_seconds']['total']:.1f} s")
    from optimizer.koppeling.changes import summary_line

    if line := summary_line(record):
        typer.echo(line)


@command
def demo(
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")] = Path("out/demo"),
    n: Annotated[int, typer.Option("--n", help="Households in the synthetic weekly batch.")] = 450,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the synthetic batch.")] = 1,
    period: Annotated[str, typer.Option("--period", help="Half-year.")] = "2025-H2",
    at: Annotated[str, typer.Option("--date", help="Batch date.")] = "2025-08-04",
    national: National = None, population: Population = None, population_year: PopulationYear = None,
    lang: ReportLang = "nl",
    verbose: Verbose = False,
    quiet: Quiet = False,
) -> None:
    """End to end on the embedded data: taakstelling, synthetic weekly batch, state, proposal.

    After the koppel deadline the demo, which has no record of what was linked, assumes nothing
    was (catch-up: the whole target is still missing).
    """
    setup_logging(quiet)
    import pandas as pd

    from optimizer.core.tables import atomic_output_dir, write_table
    from optimizer.data.synthetic import generate_households
    from optimizer.koppeling.run import ProposeConfig, run_propose
    from optimizer.report.strings import check_lang
    from optimizer.rules.state import build_state
    from optimizer.rules.taakstelling import build_targets, target_rule

    check_lang(lang)
    check_at_least(n, "--n", 1)
    p = parse_period(period)
    day = parse_date(at, "--date")
    pop = _population(p, population, population_year)
    rules: dict[str, Any] = {"national": national, "population_path": population, "population_year": population_year}
    with atomic_output_dir(out) as tmp:
        taak = build_targets(p, **rules)  # the period's numbers (no batch date)
        write_table(taak.reset_index(), tmp / "taakstelling.csv")
        log.info("taakstelling %s: national %d over %d gemeenten, population of %s (rounding up, "
                 "Huisvestingswet art. 29)", p, int(taak["national"].iloc[0]), len(taak), taak["reference_date"].iloc[0])
        hh = generate_households(n, seed, as_of=day)
        write_table(hh, tmp / "households.csv")
        log.info("synthetic weekly batch: %d rows, %d persons (seed %d)", len(hh), int(hh["persons"].sum()), seed)
        if target_rule(p, day) == "catch-up":  # the demo knows nothing linked: all still missing is the target
            log.info("after the koppel deadline %s: catch-up, assuming nothing linked towards %s yet",
                     p.koppel_deadline, p)
            rules["linked"] = pd.Series(0, index=taak.index, dtype="int64")
        st = build_state(p, day, **rules)
        write_table(st, tmp / "state.csv")
        cfg = ProposeConfig(households=tmp / "households.csv", state=tmp / "state.csv", out=tmp / "proposal",
                            as_of=day, command="demo", relative_to=tmp, verbose=verbose, population=pop, lang=lang)
        record = run_propose(cfg)
    _summary(record)
    typer.echo(f"demo outputs in {out}/ (taakstelling.csv, households.csv, state.csv, proposal/)")
    typer.echo(f"report: {out / 'proposal' / 'report.html'} (open it in a browser; tables in report.xlsx)")
