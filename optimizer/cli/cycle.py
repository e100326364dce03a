"""Commands of the half-year cycle: ``spreiding ledger open|accept|housed|state|status|close|export|import``.

The ledger file is given with ``--ledger`` (or the environment variable ``SPREIDING_LEDGER``).
Every command that changes it is one transaction; bad input exits with code 2 and leaves the
ledger as it was (the shared handler, :func:`optimizer.cli.common.handle_errors`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from optimizer.cli.common import (
    OutDir,
    Quiet,
    app,
    check_at_least,
    check_choice,
    check_rounding,
    handle_errors,
    log,
    parse_date,
    parse_period,
    setup_logging,
)
from optimizer.cli.koppeling import National, Period_, Population, PopulationYear, Realised, Rounding, Swaps
from optimizer.core.errors import InputError, Violation

if TYPE_CHECKING:
    from optimizer.cycle.ledger import Change, Ledger

ledger_app = typer.Typer(no_args_is_help=True, help="The ledger of the half-year cycle: the taakstelling used, "
                                                    "accepted koppelingen, housing realised and carry-over.")
app.add_typer(ledger_app, name="ledger")

# Options of the ledger commands ----------------------------------------------------------------
LedgerFile = Annotated[Path, typer.Option("--ledger", "-l", envvar="SPREIDING_LEDGER",
                                          help="The ledger file (SQLite); default: $SPREIDING_LEDGER.")]
ProposalDir = Annotated[Path, typer.Option("--proposal", help="The proposal folder (proposal.csv and run.json).")]
BatchDay = Annotated[str, typer.Option("--date", help="Batch date (YYYY-MM-DD).")]
StateOut = Annotated[Path, typer.Option("--out", "-o", help="State file for `spreiding propose --state`.")]
BatchDays = Annotated[int, typer.Option("--batch-days", help="Days covered by the batch.")]
WholePeriod = Annotated[bool, typer.Option(
    "--whole-period", help="Plan the rest of the half-year: target = period target - linked so far, dwellings of the "
                           "whole half-year.")]
Share = Annotated[float | None, typer.Option(
    "--leefbaarheid-share", help="Cap households per gemeente at this share of its corporation lettings.")]
By = Annotated[str, typer.Option("--by", help="'gemeente' or 'provincie' (rows of --out).")]
ImportFrom = Annotated[Path, typer.Option("--from", help="A folder written by `spreiding ledger export`.")]
Edits, HousedFile, Counts, Housing, OutTable = (
    Annotated[Path | None, typer.Option(*flags, help=text)]
    for flags, text in ((("--edits",), "A planner's edits (household_id, gm_code; empty gm_code = drop the link)."),
                        (("--households",), "Households housed (household_id, housed_on)."),
                        (("--gemeenten",), "Persons housed per gemeente as reported (gm_code, period, housed[, as_of])."),
                        (("--housing",), "Own dwelling offers / pressure file replacing the modelled one."),
                        (("--out", "-o"), "Output file (.csv, .xlsx or .parquet).")))
KoppelDay, StatusDay, PeriodOfDay = (
    Annotated[str | None, typer.Option(flag, help=text)]
    for flag, text in (("--date", "Date of the koppeling (default: the proposal's as_of date)."),
                       ("--date", "Status on this day (YYYY-MM-DD); default: the last day of --period."),
                       ("--period", "Half-year (default: the one of --date).")))


def ledger_command(name: str) -> Callable[[Callable], Callable]:
    """Register a function as ``spreiding ledger <name>``, behind the shared error handler."""
    def register(fn: Callable) -> Callable:
        wrapped = handle_errors(fn)
        ledger_app.command(name)(wrapped)
        return wrapped
    return register


def _ledger(path: Path, quiet: bool, *, create: bool = False) -> Ledger:
    """Logging as asked, then the ledger file opened (migrated when older)."""
    setup_logging(quiet)
    from optimizer.cycle.ledger import open_ledger

    return open_ledger(path, create=create)


def _checked(out: Path | None) -> None:
    """Check an output file (suffix, a writable place) before any work is done."""
    from optimizer.core.tables import check_output_file

    if out is not None:
        check_output_file(out)


def _write(table, out: Path) -> None:
    from optimizer.core.tables import atomic_output_file, write_table

    with atomic_output_file(out) as tmp:
        write_table(table, tmp)


def _said(change: Change, done: str, again: str) -> None:
    """One line about a change: what was done, or (``again``) why nothing changed."""
    typer.echo(f"nothing changed: {again}" if change.unchanged else f"{done} (change {change.id})")


@ledger_command("open")
def open_period(ledger: LedgerFile, period: Period_, national: National = None, rounding: Rounding = "up",
                population: Population = None, population_year: PopulationYear = None, swaps: Swaps = None,
                realised: Realised = None, quiet: Quiet = False) -> None:
    """Open a half-year: record its taakstelling (creates the ledger file when it does not exist)."""
    from optimizer.cycle.periods import open_period as record

    p, mode = parse_period(period), check_rounding(rounding)
    new = not ledger.exists()
    try:
        with _ledger(ledger, quiet, create=True) as book:
            change = record(book, p, national=national, rounding=mode,  # type: ignore[arg-type]
                            population_path=population, population_year=population_year, swaps=swaps,
                            realised=realised)
    except BaseException:
        if new:  # a ledger made for a period that could not be opened: no file left behind
            ledger.unlink(missing_ok=True)
        raise
    s = change.summary
    if "population_fallback" in s:
        log.warning("warning: %s", s["population_fallback"])
    _said(change, f"{p} opened: national {s['national']}, taakstelling {s['taakstelling']} over {s['gemeenten']} "
                  f"gemeenten (rounding {s['rounding']}, population of {s['population_of']}), carry-over "
                  f"{s['carry_in']} ({s['carry_source']})",
          f"{p} was opened with these numbers before")


@ledger_command("accept")
def accept(ledger: LedgerFile, proposal: ProposalDir, edits: Edits = None, at: KoppelDay = None,
           quiet: Quiet = False) -> None:
    """Accept a proposal into the ledger, whole or with edits. Accepting it again changes nothing."""
    from optimizer.cycle.proposals import accept_proposal

    day = parse_date(at, "--date")
    with _ledger(ledger, quiet) as book:
        change = accept_proposal(book, proposal, edits=edits, day=day)
    s = change.summary
    _said(change, f"proposal {s['run_id'][:12]} accepted on {s['linked_on']}: {s['households']} households, "
                  f"{s['persons']} persons ({s['edited']} edited, {s['added']} added, {s['dropped']} dropped)",
          f"this proposal was accepted before (change {s.get('already_accepted_in_change')}); accepting the same "
          "proposal again changes nothing")


@ledger_command("housed")
def housed(ledger: LedgerFile, households: HousedFile = None, gemeenten: Counts = None, quiet: Quiet = False) -> None:
    """Record housing realised: per household, and/or per gemeente as provinces receive it."""
    from optimizer.cycle.housing import record_housing

    if households is None and gemeenten is None:
        raise InputError(Violation("--households", "give --households and/or --gemeenten"))
    with _ledger(ledger, quiet) as book:
        change = record_housing(book, households=households, gemeenten=gemeenten)
    s = change.summary
    _said(change, f"housing recorded: {s['households']} households, {s['reports']} gemeente counts "
                  f"({s['households_repeated']} + {s['reports_repeated']} repeated)",
          "every record was in the ledger already (recording it again changes nothing)")


@ledger_command("state")
def state(ledger: LedgerFile, at: BatchDay, out: StateOut, period: PeriodOfDay = None, whole_period: WholePeriod = False,
          housing: Housing = None, batch_days: BatchDays = 7, leefbaarheid_share: Share = None,
          quiet: Quiet = False) -> None:
    """The next batch's gemeente state from the ledger: taakstelling + carry-over - linked so far, by the rule for
    the date (pace, catch-up, before-start) or for the whole half-year; column target_rule says which."""
    from optimizer.cycle.status import batch_state

    _checked(out)
    check_at_least(batch_days, "--batch-days", 1)
    day = parse_date(at, "--date")
    with _ledger(ledger, quiet) as book:
        table = batch_state(book, day, period=parse_period(period) if period else None,  # type: ignore[arg-type]
                            housing_path=housing, batch_days=batch_days, leefbaarheid_share=leefbaarheid_share,
                            whole_period=whole_period)
    table["target_rule"] = table.attrs["target_rule"]
    _write(table, out)
    typer.echo(f"state on {at} from the ledger ({table.attrs['target_rule']}): batch target "
               f"{table['target'].sum():.0f} persons, linked so far {int(table['linked'].sum())} -> {out}")


@ledger_command("status")
def status(ledger: LedgerFile, at: StatusDay = None, period: PeriodOfDay = None, out: OutTable = None,
           by: By = "gemeente", quiet: Quiet = False) -> None:
    """Status of a period on a date per gemeente and province: target, linked, housed, achterstand/voorsprong."""
    from optimizer.core.periods import Period
    from optimizer.cycle.status import period_status, province_status

    check_choice(by, "--by", ("gemeente", "provincie"))
    day = parse_date(at, "--date")
    if day is None and period is None:
        raise InputError(Violation("--date", "give --date (status on that day) or --period (on its last day)"))
    p = parse_period(period) if period else Period.of(day)  # type: ignore[arg-type]
    _checked(out)
    with _ledger(ledger, quiet) as book:
        gem = period_status(book, p, day or p.end)
    prov = province_status(gem)
    if out is not None:
        _write((gem if by == "gemeente" else prov).reset_index(), out)
        log.info("status per %s -> %s", by, out)
    cols = ["target", "linked", "pipeline_in", "housed", "achterstand", "gemeenten", "voldoet"]
    typer.echo(f"{p} on {gem['date'].iloc[0]} (carry-over in: {gem['carry_source'].iloc[0]})")
    typer.echo(prov[cols].to_string())
    typer.echo(f"total: target {int(gem['target'].sum())}, linked {int(gem['linked'].sum())}, housed "
               f"{int(gem['housed'].sum())}, {int(gem['voldoet'].sum())} of {len(gem)} gemeenten voldoen")


@ledger_command("close")
def close(ledger: LedgerFile, period: Period_, out: OutTable = None, quiet: Quiet = False) -> None:
    """Close a period: record per gemeente the persons housed and the carry-over into the next period."""
    from optimizer.cycle.periods import close_period

    p = parse_period(period)
    _checked(out)
    with _ledger(ledger, quiet) as book:
        change, carry = close_period(book, p)
    if out is not None:
        _write(carry.reset_index(), out)
    s = change.summary
    _said(change, f"{p} closed: target {s['target']}, housed {s['housed']}; carry-over into {p.next()}: "
                  f"achterstand {s['achterstand']}, voorsprong {s['voorsprong']}; {s['gemeenten_voldoet']} gemeenten "
                  "voldoen",
          f"{p} was closed before (change {s.get('closed_in_change')}); its carry-over stays as recorded")


@ledger_command("export")
def export(ledger: LedgerFile, out: OutDir, quiet: Quiet = False) -> None:
    """Export the ledger: one CSV per table and manifest.json (schema version, row counts, SHA-256)."""
    from optimizer.core.tables import check_output_dir
    from optimizer.cycle.transfer import export_ledger

    check_output_dir(out)
    with _ledger(ledger, quiet) as book:
        manifest = export_ledger(book, out)
    rows = sum(t["rows"] for t in manifest["tables"].values())
    typer.echo(f"exported {len(manifest['tables'])} tables, {rows} rows (schema version "
               f"{manifest['schema_version']}) -> {out}")


@ledger_command("import")
def import_(source: ImportFrom, ledger: LedgerFile, quiet: Quiet = False) -> None:
    """Make a new ledger file from an export (migrated to the current schema when older)."""
    setup_logging(quiet)
    from optimizer.cycle.transfer import import_ledger

    with import_ledger(source, ledger) as book:
        migrated = book.migrated_from
    typer.echo(f"imported {source} -> {ledger}" + (f" (migrated from schema version {migrated})" if migrated else ""))
