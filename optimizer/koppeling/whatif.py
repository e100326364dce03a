"""What if this household went elsewhere? Re-optimise the same batch with one more lock and
report the true cost, term by term, and which other households move.

A caseworker answering "why not Z?" needs the objective of the best solution in which the
household goes to Z (or does not stay where it is), not a one-household estimate. The what-if
runs the stages of :mod:`optimizer.koppeling.run` twice on the same validated inputs and solver
options: once as given (the proposal), once with a planner's lock added
(:attr:`Context.fixed` / :attr:`Context.forbidden`: ``fix`` household -> Z, or ``forbid`` its
current gemeente). The difference of the two objectives is the price of the change.

Inequalities (both solves proven optimal; otherwise within their gaps):

* ``difference >= 0`` when the proposal's problem allows the household at Z (a ``fix`` lock
  overrides hard ties and the medical region; where it does, the what-if problem is not a
  restriction and can cost less: ``allowed_without_the_lock`` says which case it is);
* ``difference <= alternative delta``: the one-household move of the proposal's alternatives
  (:mod:`optimizer.koppeling.explain`) is one solution of the locked problem, so re-optimising
  can only do as well or better (other households may move to make room).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from optimizer.core.errors import InputError, Violation, raise_if
from optimizer.core.runrecord import RunRecord, inputs_record, write_json
from optimizer.core.tables import atomic_output_dir, write_table
from optimizer.data import schemas
from optimizer.koppeling import run as stages
from optimizer.koppeling.explain import alternatives
from optimizer.koppeling.extract import Solution
from optimizer.koppeling.inputs import Context
from optimizer.koppeling.run import ProposeConfig, Timings, Validated
from optimizer.report.strings import text

log = logging.getLogger(__name__)

#: Relative gap of both solves unless --gap says otherwise: the variant's 0.001 of a weekly
#: objective (~19,000 points) would hide differences of ~20 points.
WHAT_IF_GAP = 1e-6
POINTS = "points (the objective's unit: docs/model.md, 'Points')"


@dataclass
class Scenario:
    """One solve of the batch: its context and solution."""

    ctx: Context
    sol: Solution

    @property
    def objective(self) -> float:
        """HiGHS's objective of the solution."""
        return float(self.sol.result.objective)

    def gemeente_of(self) -> pd.Series:
        """household_id -> gm_code ('' = unplaced) of every decision household."""
        codes = np.array([*self.ctx.inputs.gemeenten, ""])
        return pd.Series(codes[self.sol.evaluation.assignment.gemeente], index=self.ctx.households.index)


def scenario(cfg: ProposeConfig, data: Validated) -> Scenario:
    """inputs -> build -> solve -> extract, with the run's own stage functions and options."""
    ctx = stages.inputs(cfg, data)
    built = stages.build(ctx, cfg.formulation)
    strategy = stages.choose_strategy(cfg.strategy, cfg.formulation, ctx.inputs)
    result = stages.solve(ctx, built, stages.solver_options(cfg, data.variant), strategy)
    return Scenario(ctx, stages.extract(ctx, built, result))


def lock_row(data: Validated, base: Scenario, household: str, gemeente: str | None) -> pd.DataFrame:
    """The what-if's lock: fix ``household`` to ``gemeente``, or (``None``) forbid its current
    gemeente. Raises :class:`InputError` naming the option when the question cannot be asked."""
    if household not in base.ctx.households.index:
        why = ("it is not awaiting a koppeling in this batch (already linked, excluded or not in the households file)")
        raise InputError(Violation("--household", f"expected a household decided in this batch; {why}", value=household))
    current = base.gemeente_of()[household]
    if gemeente is None:
        if not current:
            raise InputError(Violation("--forbid-current", "the household is not linked in the proposal; give "
                                                           "--gemeente to ask where it could go", value=household))
        return pd.DataFrame({"household_id": [household], "gm_code": [current], "action": ["forbid"]})
    if gemeente not in data.state.index:
        raise InputError(Violation("--gemeente", "expected a gm_code of the state file (e.g. GM0363)", value=gemeente))
    if gemeente == current:
        raise InputError(Violation("--gemeente", "the proposal already links the household there; ask for another "
                                                 "gemeente", value=gemeente))
    return pd.DataFrame({"household_id": [household], "gm_code": [gemeente], "action": ["fix"]})


def with_lock(data: Validated, extra: pd.DataFrame, locks_name: str) -> Validated:
    """``data`` with the what-if lock added: the household's own fix locks (and a forbid of the
    gemeente it is now fixed to) give way to it; checked as any lock file is."""
    hid, gm, _ = extra.iloc[0]
    old = data.locks if data.locks is not None else pd.DataFrame(columns=["household_id", "gm_code", "action"])
    mine = old["household_id"].eq(hid)
    clash = mine & (old["action"].eq("fix") | old["gm_code"].eq(gm))
    merged = pd.concat([old[~clash][["household_id", "gm_code", "action"]], extra], ignore_index=True)
    name = f"--household/--gemeente (with {locks_name})" if data.locks is not None else "--household/--gemeente"
    locks = schemas.load_locks(merged.astype(str), data.households, name)
    raise_if(schemas.check_locks_can_be_honoured(locks, name, data.households, data.state))
    return replace(data, locks=locks)


def compare(base: Scenario, alt: Scenario, household: str) -> dict:
    """The difference of two solves: objective (HiGHS's and recomputed), each weighted term, and
    the households whose gemeente differs."""
    wb, wa = base.sol.weighted, alt.sol.weighted
    before, after = base.gemeente_of(), alt.gemeente_of()
    moved = [{"household_id": h, "proposal": before[h], "what_if": after[h]}
             for h in before.index if before[h] != after[h]]
    return {
        "household_id": household,
        "objective_proposal": base.objective,
        "objective_what_if": alt.objective,
        "difference": alt.objective - base.objective,
        "difference_recomputed": alt.sol.objective - base.sol.objective,
        "terms_difference": {t: wa[t] - wb[t] for t in wb if abs(wa[t] - wb[t]) > 1e-9},
        "moved": moved,
        "solves": {name: {"status": s.sol.result.status.value, "gap": s.sol.result.gap, "bound": s.sol.result.bound,
                          "limit": s.sol.result.limit}
                   for name, s in (("proposal", base), ("what_if", alt))},
    }


def stated_delta(base: Scenario, household: str, gemeente: str | None) -> float | None:
    """The proposal's alternative delta (one-household move) to ``gemeente``, if it lists one."""
    if gemeente is None:
        return None
    row = alternatives(base.ctx, base.sol, k=base.ctx.inputs.n_gemeenten).set_index("household_id").loc[household]
    for i in range(1, base.ctx.inputs.n_gemeenten + 1):
        if row.get(f"alt{i}_gm_code") == gemeente:
            return float(row[f"alt{i}_delta"])
    return None


def allowed_without_lock(base: Scenario, household: str, gemeente: str | None) -> bool:
    """Whether the proposal's problem allows the household there (a fix lock overrides hard ties
    and the medical region: then the what-if is no restriction and may cost less)."""
    if gemeente is None:
        return True
    inp = base.ctx.inputs
    h = base.ctx.households.index.get_loc(household)
    return bool(np.isfinite(inp.own_cost[0][int(inp.hh_unit[h]), inp.gemeenten.index(gemeente)]))


def run_what_if(cfg: ProposeConfig, household: str, gemeente: str | None) -> dict:
    """Solve the batch as given and with the what-if lock; write ``what_if.json`` (the run
    record with the comparison) and ``moved.csv`` into ``cfg.out``; return the record."""
    if cfg.mip_rel_gap is None:  # differences of a few points need both solves near-optimal
        cfg = replace(cfg, mip_rel_gap=WHAT_IF_GAP)
    timings = Timings()
    with timings("read_validate"):
        data = stages.validate(cfg, stages.load(cfg))
    base = scenario(cfg, data)
    locked = with_lock(data, lock_row(data, base, household, gemeente), str(cfg.locks))
    alt = scenario(cfg, locked)
    result = compare(base, alt, household)
    result["question"] = (f"fix {household} to {gemeente}" if gemeente else
                          f"forbid {household} its proposed gemeente {base.gemeente_of()[household]}")
    result["question_parts"] = {"action": "fix" if gemeente else "forbid", "household": household,
                                "gemeente": gemeente or base.gemeente_of()[household]}
    result["alternative_delta"] = stated_delta(base, household, gemeente)
    result["allowed_without_the_lock"] = allowed_without_lock(base, household, gemeente)
    result["unit"] = POINTS
    record = RunRecord(
        command="what-if",
        inputs=inputs_record({"households": cfg.households, "state": cfg.state, "locks": cfg.locks,
                              "previous": cfg.previous, "scores": cfg.scores}),
        variant={"name": data.variant.name, "file": data.variant.source, "sha256": data.variant.sha256},
        status=alt.sol.result.status.value, objective=alt.objective, bound=alt.sol.result.bound,
        gap=alt.sol.result.gap, notes=list(alt.ctx.notes),
    ).model_dump()
    record["what_if"] = result
    record["solver"] = {"proposal": base.sol.result.record(), "what_if": alt.sol.result.record()}
    record["timings_seconds"] = {**timings.seconds, "total": timings.total()}
    with atomic_output_dir(cfg.out) as tmp:
        write_table(pd.DataFrame(result["moved"], columns=["household_id", "proposal", "what_if"]), tmp / "moved.csv")
        write_json(tmp / "run.json", record)
    return record


def summary(record: dict, lang: str = "nl") -> str:
    """A few lines for the caseworker, in ``lang`` (section ``what_if`` of
    :mod:`optimizer.report.strings`; term names and codes as in the files)."""
    w = record["what_if"]

    def t(key: str, **values: object) -> str:
        return text(lang, f"what_if.{key}", **values)

    def where(code: str) -> str:
        return code or t("unplaced")

    me = next((m for m in w["moved"] if m["household_id"] == w["household_id"]), None)
    q = w["question_parts"]
    question = t(f"question_{q['action']}", household=q["household"], gemeente=q["gemeente"])
    lines = [t("what_if", question=question) + (t("move", before=where(me["proposal"]), after=where(me["what_if"]))
                                                 if me else t("stays")),
             t("objective", before=w["objective_proposal"], after=w["objective_what_if"], difference=w["difference"])]
    if w["alternative_delta"] is not None:
        lines.append(t("alternative", delta=w["alternative_delta"]))
    if not w["allowed_without_the_lock"]:
        lines.append(t("not_allowed"))
    for term, d in sorted(w["terms_difference"].items(), key=lambda x: -abs(x[1])):
        lines.append(t("term", term=term, d=d))
    others = [m for m in w["moved"] if m["household_id"] != w["household_id"]]
    lines.append(t("others", n=len(others)) + (": " + ", ".join(
        f"{m['household_id']} {where(m['proposal'])} -> {where(m['what_if'])}" for m in others[:10])
        + (" ..." if len(others) > 10 else "") if others else ""))
    for name, s in record["what_if"]["solves"].items():
        if s["status"] != "optimal":
            lines.append(t("stopped", name=t("proposal" if name == "proposal" else "what_if_solve"),
                           stop=text(lang, f"reason.stop_{s['limit'] or s['status']}"), gap=s["gap"]))
    return "\n".join(lines)
