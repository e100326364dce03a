"""``spreiding what-if``: re-optimise a batch with one household fixed to a gemeente (or kept out of
its proposed one) and report the true difference, term by term, and who else moves
(:mod:`optimizer.koppeling.whatif`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from optimizer.cli.common import (
    Gap,
    NodeLimit,
    OutDir,
    Quiet,
    ReportLang,
    Seed,
    Threads,
    TimeLimit,
    Verbose,
    app,
    check_at_least,
    check_solver_options,
    handle_errors,
    parse_date,
    setup_logging,
)
from optimizer.core.errors import InputError, Violation


@app.command("what-if")
@handle_errors
def what_if(
    households_file: Annotated[Path, typer.Option("--households", help="Households of the batch (as for propose).")],
    state_file: Annotated[Path, typer.Option("--state", help="Gemeente state of the batch (as for propose).")],
    household: Annotated[str, typer.Option("--household", help="The household asked about (household_id).")],
    out: OutDir,
    gemeente: Annotated[str | None, typer.Option(
        "--gemeente", help="Fix the household to this gemeente (gm_code): 'why not Z?'.")] = None,
    forbid_current: Annotated[bool, typer.Option(
        "--forbid-current", help="Instead: keep the household out of the gemeente the proposal links it to.")] = False,
    at: Annotated[str | None, typer.Option("--date", help="Batch date (YYYY-MM-DD), as for propose.")] = None,
    variant: Annotated[str, typer.Option("--variant", help="Variant name or .toml path (as for propose).")]
    = "default",
    lock: Annotated[Path | None, typer.Option("--lock", help="The planner's locks of the batch.")] = None,
    previous: Annotated[Path | None, typer.Option("--previous", help="A previous proposal.csv.")] = None,
    scores: Annotated[Path | None, typer.Option("--scores", help="Own employment scores.")] = None,
    time_limit: TimeLimit = None, gap: Gap = None, threads: Threads = None, seed: Seed = None,
    node_limit: NodeLimit = None,
    lang: ReportLang = "nl",
    verbose: Verbose = False,
    quiet: Quiet = False,
) -> None:
    """What if a household went elsewhere? The batch solved twice (as given, and with the household
    fixed to --gemeente or kept out of its gemeente): the true difference in points, term by term,
    and every other household that moves. Writes run.json and moved.csv to --out."""
    setup_logging(quiet)
    from optimizer.koppeling.run import ProposeConfig
    from optimizer.koppeling.whatif import run_what_if, summary
    from optimizer.report.strings import check_lang

    check_lang(lang)
    check_solver_options(time_limit, gap, threads, seed)
    check_at_least(node_limit, "--node-limit", 1)
    if (gemeente is None) == (not forbid_current):
        raise InputError(Violation("--gemeente", "give exactly one of --gemeente GM.... or --forbid-current",
                                   value=gemeente or ""))
    code = gemeente.strip().upper() if gemeente is not None else None
    cfg = ProposeConfig(households=households_file, state=state_file, out=out, variant=variant, locks=lock,
                        previous=previous, scores=scores, as_of=parse_date(at, "--date"), time_limit=time_limit,
                        mip_rel_gap=gap, threads=threads, seed=seed, node_limit=node_limit, verbose=verbose,
                        make_map=False, command="what-if", lang=lang)
    typer.echo(summary(run_what_if(cfg, household, code), lang))
