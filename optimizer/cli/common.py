"""What every command shares: the app, the one error handler, logging, and the options that
mean the same everywhere.

* ``--out / -o`` where to write; ``--quiet / -q`` only warnings and errors; ``--lang nl|en``
  the language of what people read (``report.html``, ``report.xlsx``, reasons, summaries);
  ``--verbose / -v`` the solver's own log (commands that solve); ``--version``.
* ``--time-limit``, ``--gap``, ``--threads``, ``--seed``: HiGHS settings; when not given, the
  variant's ``[solver]`` section decides (:class:`optimizer.core.variants.SolverSpec`).
* Bad input (:class:`~optimizer.core.errors.InputError`) prints every violation (file or option,
  row, column, value, rule) to stderr and exits with code 2, without a traceback; nothing is
  written. A solver failure (``RuntimeError``) exits with code 1.
"""

from __future__ import annotations

import functools
import logging
import sys
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer

from optimizer import STARTED
from optimizer.core.errors import EXIT_INPUT_ERROR, InputError, Violation
from optimizer.core.periods import Period

log = logging.getLogger("spreiding")


def _version(value: bool) -> None:
    if value:
        import optimizer
        from optimizer.core.runrecord import package_versions

        packages = ", ".join(f"{k} {v}" for k, v in package_versions().items())
        typer.echo(f"spreiding {optimizer.__version__} ({packages})")
        raise typer.Exit()


app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="spreiding: transparent optimisation for the Dutch asylum chain "
                       "(koppeling of statushouders, reception places, fairness).")


@app.callback()
def _main(version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                                help="Print the version of spreiding and its solver, and exit.")]
          = False) -> None:
    """spreiding: transparent optimisation for the Dutch asylum chain."""
    COMMAND_START[:] = [STARTED if AS_PROGRAM else time.perf_counter()]


#: Whether the app runs as the program (:func:`optimizer.cli.main`): then a command's clock starts
#: at process start (:data:`optimizer.STARTED`), else (e.g. a test's runner) when it is invoked.
AS_PROGRAM = False
COMMAND_START: list[float] = []


def command_started() -> float:
    """``time.perf_counter()`` at the start of the current command (for its time limit)."""
    return COMMAND_START[-1] if COMMAND_START else time.perf_counter()


# Options that mean the same in every command --------------------------------------------------
OutFile = Annotated[Path, typer.Option("--out", "-o", help="Output file (.csv, .xlsx or .parquet).")]
OutDir = Annotated[Path, typer.Option("--out", "-o", help="Output folder.")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="Print only warnings and errors.")]
Verbose = Annotated[bool, typer.Option("--verbose", "-v", help="Show the HiGHS log.")]
ReportLang = Annotated[str, typer.Option("--lang", help="Language of what people read (report.html, report.xlsx, "
                                                        "households' reasons, printed summaries): nl (Dutch, the "
                                                        "default) or en.")]
# HiGHS settings: when not given, the variant's [solver] section decides
TimeLimit, Gap, Threads, Seed = (
    Annotated[kind, typer.Option(flag, help=f"{text} (default: the variant's solver section).")]
    for kind, flag, text in ((float | None, "--time-limit", "Seconds; for propose the whole command "
                              "(reading to writing, docs/model.md), for reception per solve"),
                             (float | None, "--gap", "Relative MIP gap at which HiGHS stops: |objective - bound| / "
                                                      "|objective|, constant offsets included (docs/model.md)"),
                             (int | None, "--threads", "HiGHS threads (1 = deterministic)"),
                             (int | None, "--seed", "HiGHS random seed")))
NodeLimit = Annotated[int | None, typer.Option(
    "--node-limit", help="Branch-and-bound nodes at which HiGHS stops: a deterministic limit, the same result on "
                         "every machine (default: the variant's solver section, none).")]


def setup_logging(quiet: bool) -> None:
    """Progress messages on stderr (``--quiet``: warnings and errors only)."""
    logging.basicConfig(level=logging.WARNING if quiet else logging.INFO, format="%(message)s", stream=sys.stderr,
                        force=True)
    logging.getLogger("pyomo").setLevel(logging.ERROR)


def handle_errors(fn: Callable) -> Callable:
    """The one error handler: InputError -> report on stderr and exit code 2 (no traceback);
    RuntimeError (e.g. the solver found no solution) -> message and exit code 1."""
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


def command(fn: Callable) -> Callable:
    """Register ``fn`` as a command of :data:`app`, behind :func:`handle_errors`."""
    wrapped = handle_errors(fn)
    app.command(fn.__name__)(wrapped)
    return wrapped


# Parsing and range checks of option values (before any work is done) ------------------------

def parse_date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise InputError(Violation(option, "expected a date YYYY-MM-DD", value=value)) from None


def parse_period(value: str) -> Period:
    try:
        return Period.parse(value)
    except ValueError as exc:
        raise InputError(Violation("--period", str(exc), value=value)) from None


def check_rounding(value: str) -> str:
    if value not in ("up", "nearest"):
        raise InputError(Violation("--rounding", "expected 'up' (the law: round up) or 'nearest'", value=value))
    return value


def check_choice(value: str, option: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise InputError(Violation(option, f"expected one of {', '.join(repr(c) for c in choices)}", value=value))
    return value


def check_solver_options(time_limit: float | None, gap: float | None, threads: int | None,
                         seed: int | None) -> None:
    """Range-check the HiGHS options; every problem is reported at once."""
    problems = []
    if time_limit is not None and not time_limit > 0:
        problems.append(Violation("--time-limit", "expected a number of seconds > 0", value=time_limit))
    if gap is not None and not 0 <= gap < 1:
        problems.append(Violation("--gap", "expected a relative gap between 0 and 1 (e.g. 0.001)", value=gap))
    if threads is not None and threads < 1:
        problems.append(Violation("--threads", "expected a whole number >= 1", value=threads))
    if seed is not None and seed < 0:
        problems.append(Violation("--seed", "expected a whole number >= 0", value=seed))
    if problems:
        raise InputError(problems)


def check_at_least(value: int | None, option: str, minimum: int) -> int | None:
    if value is not None and value < minimum:
        raise InputError(Violation(option, f"expected a whole number >= {minimum}", value=value))
    return value
