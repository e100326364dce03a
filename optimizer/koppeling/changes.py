"""What a proposal changes against the previous one, and what the planner's locks cost.

* :func:`against_previous`: of the households linked in the previous proposal and decided
  again now, how many keep their gemeente, go elsewhere or are no longer linked; how many are
  linked now that were not; and the ``change`` term (raw: households linked elsewhere; in points).
* :func:`locks_cost`: the objective of the same batch solved without the locks (the same stages
  and solver options, :func:`optimizer.koppeling.whatif.scenario`) against the objective with
  them: what honouring the locks costs, in points (negative only within the solvers' gaps, or
  when a fix lock overrides a hard tie and so widens the choice).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from optimizer.koppeling.extract import Solution
from optimizer.koppeling.inputs import Context

if TYPE_CHECKING:
    from optimizer.koppeling.run import ProposeConfig, Validated


def against_previous(ctx: Context, sol: Solution, previous: pd.Series | None) -> dict | None:
    """Links kept, changed and dropped against ``previous`` (household_id -> gm_code, '' = not
    linked); ``None`` without a previous proposal."""
    if previous is None:
        return None
    codes = np.array([*ctx.inputs.gemeenten, ""])
    now = pd.Series(codes[sol.evaluation.assignment.gemeente], index=ctx.households.index)
    before = previous.reindex(now.index).fillna("")
    was = before.ne("")
    return {"households_decided_again": int(was.sum()),
            "kept": int((was & now.eq(before)).sum()),
            "linked_elsewhere": int((was & now.ne("") & now.ne(before)).sum()),
            "no_longer_linked": int((was & now.eq("")).sum()),
            "newly_linked": int((~was & now.ne("")).sum()),
            "change_term_raw": float(sol.terms.get("change", 0.0)),
            "change_term_points": float(sol.weighted.get("change", 0.0))}


def locks_cost(cfg: ProposeConfig, data: Validated, sol: Solution) -> dict | None:
    """The objective with the locks minus the objective of the batch solved without them
    (``None`` without locks)."""
    if data.locks is None or data.locks.empty:
        return None
    from optimizer.koppeling.whatif import scenario

    free = scenario(cfg, replace(data, locks=None))
    r = free.sol.result
    return {"objective_with_locks": float(sol.result.objective), "objective_without_locks": free.objective,
            "cost_points": float(sol.result.objective) - free.objective,
            "without_locks_status": r.status.value, "without_locks_gap": r.gap, "without_locks_limit": r.limit}


def summary_line(record: dict) -> str:
    """One line for the command's summary ('' when there is nothing to say)."""
    parts = []
    prev = record.get("against_previous")
    if prev:
        parts.append(f"against --previous: {prev['kept']} kept, {prev['linked_elsewhere']} linked elsewhere, "
                     f"{prev['no_longer_linked']} no longer linked, {prev['newly_linked']} newly linked "
                     f"(change term {prev['change_term_points']:.2f} points)")
    cost = (record.get("locks") or {}).get("cost")
    if cost:
        parts.append(f"the locks cost {cost['cost_points']:+.2f} points (objective {cost['objective_with_locks']:.2f} "
                     f"with, {cost['objective_without_locks']:.2f} without)")
    return "; ".join(parts)
