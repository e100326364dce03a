"""Commands for provinces: ``evaluate`` (a distribution against a target), ``monitor``
(stoplicht and interventieladder over half-years) and ``forecast`` (arrivals and children over
the next two months). Each writes a whole folder: CSV tables, report.html, report.xlsx, run.json.

Bad input goes through the one error handler (:func:`optimizer.cli.common.handle_errors`): every
problem on stderr with file or option, row, column and value, exit code 2, nothing written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from optimizer.cli.common import (
    OutDir,
    Quiet,
    ReportLang,
    check_choice,
    command,
    parse_date,
    parse_period,
    setup_logging,
)
from optimizer.core.errors import InputError, Violation, raise_if

# options of `compare` for koppeling variants (the batch they are compared on)
KoppelingBatch, KoppelingState, KoppelingDay = (
    Annotated[kind, typer.Option(flag, help=text)]
    for kind, flag, text in ((Path | None, "--households", "Koppeling variants: the batch's households file."),
                             (Path | None, "--state", "Koppeling variants: the gemeente state of the batch."),
                             (str | None, "--date", "Koppeling variants: the batch date (YYYY-MM-DD).")))
LedgerOpt = Annotated[Path | None, typer.Option("--ledger", help="The ledger file of the half-year cycle (SQLite).")]


def _lang(value: str) -> str:
    from optimizer.report.strings import check_lang

    return check_lang(value)


@command
def evaluate(
    out: OutDir,
    distribution: Annotated[Path | None, typer.Option(
        "--distribution", help="A proposal folder, proposal.csv, or a table gm_code + amount column "
                               "(persons, housed, places, ...) [+ target].")] = None,
    column: Annotated[str | None, typer.Option("--column", help="The amount column of --distribution.")] = None,
    ledger: LedgerOpt = None,
    measure: Annotated[str, typer.Option("--measure", help="With --ledger: 'housed' or 'linked'.")] = "housed",
    reception_capacity: Annotated[bool, typer.Option(
        "--reception-capacity", help="Evaluate the existing reception places (modelled default).")] = False,
    reception_file: Annotated[Path | None, typer.Option(
        "--reception", help="Existing reception places (gm_code, reception_places) instead of the modelled ones.")]
    = None,
    period: Annotated[str | None, typer.Option(
        "--period", help="Half-year: target = its statutory taakstelling (with --ledger: the half-year read).")] = None,
    day: Annotated[str | None, typer.Option("--date", help="With --ledger: status on this day (default: the "
                                                           "half-year's last day).")] = None,
    key: Annotated[str | None, typer.Option("--key", help="Target = this key's shares of the total: population, "
                                                          "eu2015, eu2024, sweden.")] = None,
    targets: Annotated[Path | None, typer.Option("--targets", help="Target per gemeente (gm_code, target).")] = None,
    national: Annotated[int | None, typer.Option("--national", help="National taakstelling for --period.")] = None,
    rounding: Annotated[str, typer.Option("--rounding", help="Taakstelling rounding: up (the law) or nearest.")]
    = "up",
    tolerance: Annotated[float, typer.Option("--tolerance", help="Relative deviation counted as on target.")] = 0.10,
    lang: ReportLang = "nl",
    quiet: Quiet = False,
) -> None:
    """Evaluate a distribution over gemeenten against a taakstelling or a key."""
    setup_logging(quiet)
    from optimizer.evaluation.run import EvaluateConfig, run_evaluate

    check_choice(measure, "--measure", ("housed", "linked"))
    check_choice(rounding, "--rounding", ("up", "nearest"))
    if not 0 <= tolerance < 10:
        raise InputError(Violation("--tolerance", "expected a share >= 0 (e.g. 0.1 for 10%)", value=tolerance))
    cfg = EvaluateConfig(out=out, distribution=distribution, column=column, ledger=ledger,
                         reception=reception_capacity, reception_file=reception_file, measure=measure,
                         period=parse_period(period) if period else None, day=parse_date(day, "--date"), key=key,
                         targets=targets, national=national, rounding=rounding, tolerance=tolerance, lang=_lang(lang))
    s = run_evaluate(cfg)
    typer.echo(f"total {s['total_actual']:,.0f} against target {s['total_target']:,.0f}; Gini {s['gini']:.4f}, "
               f"Theil {s['theil']:.4f}; {100 * s['share_within_tolerance']:.1f}% of gemeenten within "
               f"±{100 * tolerance:.0f}%; {s['gemeenten_with_nothing']} with nothing")
    typer.echo(f"written to {out} (report.html)")


@command
def monitor(
    out: OutDir,
    realisations: Annotated[Path | None, typer.Option(
        "--realisations", help="Per gemeente and half-year: gm_code, period, housed [, taakstelling, carry_in, "
                               "linked_by_deadline, incomplete_dossiers, awaiting_nareizigers, excused].")] = None,
    ledger: LedgerOpt = None,
    excuses: Annotated[Path | None, typer.Option(
        "--excuses", help="Excusable misses per gemeente and half-year (gm_code, period, incomplete_dossiers, "
                          "awaiting_nareizigers, linked_by_deadline, excused).")] = None,
    rules: Annotated[str | None, typer.Option(
        "--rules", help="Monitoring rules: a .toml file or a name (default, zuid-holland, flevoland).")] = None,
    lang: ReportLang = "nl",
    quiet: Quiet = False,
) -> None:
    """Stoplicht per gemeente per peildatum and the interventieladder, strict and fair side by side."""
    setup_logging(quiet)
    from optimizer.evaluation.run import MonitorConfig, run_monitor

    res = run_monitor(MonitorConfig(out=out, realisations=realisations, ledger=ledger, excuses=excuses, rules=rules,
                                    lang=_lang(lang)))
    for mode, counts in res["last_peildatum"].items():
        typer.echo(f"{res['peildata'][-1]} ({mode}): " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    typer.echo(f"the fair rule spares {res['spared']} gemeenten a step; written to {out} (report.html)")


@command
def forecast(
    out: OutDir,
    pipeline: Annotated[Path, typer.Option(
        "--pipeline", help="Households expected to get a permit in the coming two months (household_id, persons, "
                           "children, child_ages, expected_permit [, probability, gm_code]).")],
    day: Annotated[str, typer.Option("--date", help="Start of the two months (YYYY-MM-DD).")],
    proposal: Annotated[Path | None, typer.Option(
        "--proposal", help="A proposal folder: its links and batch targets.")] = None,
    ledger: LedgerOpt = None,
    lang: ReportLang = "nl",
    quiet: Quiet = False,
) -> None:
    """Expected arrivals per gemeente and children by age band over the next two months."""
    setup_logging(quiet)
    from optimizer.evaluation.run import ForecastConfig, run_forecast

    when = parse_date(day, "--date")
    assert when is not None
    totals = run_forecast(ForecastConfig(out=out, pipeline=pipeline, day=when, proposal=proposal, ledger=ledger,
                                         lang=_lang(lang)))
    typer.echo(f"expected {totals['expected_persons']:,.1f} persons ({totals['expected_children']:,.1f} children) "
               f"in two months; written to {out} (report.html)")


def compare_koppeling(variants: list[str], out: Path, households: Path | None, state: Path | None, day: str | None,
                      time_limit: float | None, lang: str, reception_only: dict[str, object]) -> bool:
    """``compare`` for koppeling variants (:mod:`optimizer.koppeling.compare`); ``False`` when
    the variants are reception variants (the caller compares those). ``reception_only``: the
    options given that only reception variants take (refused here)."""
    from optimizer.koppeling import compare as cmp

    if not cmp.is_koppeling(variants, households, state):
        return False
    raise_if([Violation(option, "only for reception variants; koppeling variants are compared on one batch",
                        value=str(value)) for option, value in reception_only.items() if value is not None])
    table = cmp.compare_variants(variants, households, state, out, as_of=parse_date(day, "--date"),
                                 time_limit=time_limit, lang=_lang(lang))
    cols = ["variant", "status", "linked", "persons_linked", "mean_labour_regret", "left_coa_region_share",
            "worst_relative_deviation", "moved"]
    typer.echo(table[[c for c in cols if c in table]].to_string(index=False, float_format=lambda x: f"{x:.4f}"))
    typer.echo(f"written to {out} (report.html)")
    return True
