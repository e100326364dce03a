"""Monitoring over half-years: the stoplicht per gemeente per peildatum and the interventieladder,
under a strict and a fair rule side by side (docs/monitoring.md).

Per gemeente ``g`` and half-year ``p`` (peildatum: 1 July for H1, 1 January for H2):

* ``required = taakstelling + carry_in`` (carry_in: achterstand +, voorsprong -; for a gemeente's
  first half-year from the file, later ones ``shortfall`` of the half-year before unless the file
  gives it), ``shortfall = required - housed``;
* **excusable persons** (fair rule, each switchable in the rules file): persons linked whose
  dossier was incomplete (no BSN or IBAN), persons in households waiting for nareizigers, and
  the persons COA did not link by the koppel deadline ``max(0, required - linked_by_deadline)``;
  their sum is capped at the shortfall;
* **tolerance** ``max(tolerance_persons, ceil(tolerance_share * required))``.

Verdicts (``green`` voldoet, ``orange`` voldoet niet doch verschoonbaar, ``red`` voldoet niet):

* strict: green when ``shortfall <= 0``, else red (a miss by one person counts);
* fair: green when ``shortfall <= 0``; orange when the province excused the half-year
  (``excused``) or ``shortfall <= tolerance + excusable``; else red.

Interventieladder (per gemeente, peildata in order; ``misses`` starts at 0): a red verdict adds
one miss; an orange one freezes (``misses`` unchanged: provinces froze steps for excusable
misses); a green one resets ``misses`` to 0 (``on_meet = "reset"``) or keeps it (``"hold"``).
The step is the last of the configured steps whose ``after_misses <= misses`` (none: 0).
On the last step (indeplaatsstelling) the province takes over ``shortfall`` persons
(``takeover = "achterstand"``) or the whole remaining task, the achterstand plus the next
half-year's taakstelling when the file has it (``"whole_remaining_task"``, Flevoland since 2024).
"""

from __future__ import annotations

import math
from functools import partial
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, Field, model_validator

from optimizer.core.errors import InputError, Violation, raise_if
from optimizer.core.periods import Period
from optimizer.core.variants import STRICT, VariantBase, load_variant_file
from optimizer.data.validation import Col, check_unique, validate

Verdict = Literal["green", "orange", "red"]
VERDICTS: tuple[str, ...] = ("green", "orange", "red")


# ------------------------------------------------------------------------------------------
# The rules file (models/variants/monitoring-*.toml)
# ------------------------------------------------------------------------------------------

class Stoplicht(BaseModel):
    """``[stoplicht]``: the fair rule's tolerance and which excusable misses it corrects for."""

    model_config = STRICT
    tolerance_persons: int = Field(2, ge=0, description="persons short that still count as excusable (fair rule)")
    tolerance_share: float = Field(0.0, ge=0, le=1, description="share of the required number short that still "
                                                                 "counts as excusable (fair rule)")
    incomplete_dossiers: bool = Field(True, description="excuse persons linked with an incomplete dossier")
    awaiting_nareizigers: bool = Field(True, description="excuse persons in households waiting for nareizigers")
    coa_shortfall: bool = Field(True, description="excuse persons COA did not link by 1 April / 1 October")


class Step(BaseModel):
    """One step of the interventieladder, reached after ``after_misses`` counted misses."""

    model_config = STRICT
    name: str = Field(min_length=1)
    after_misses: int = Field(ge=1)


DEFAULT_STEPS = (("signaal", 1), ("bestuurlijk gesprek en plan", 2), ("formele (laatste) waarschuwing", 3),
                 ("aankondiging indeplaatsstelling", 4), ("indeplaatsstelling", 5))


class Ladder(BaseModel):
    """``[ladder]``: the steps and what a met peildatum and the last step do."""

    model_config = STRICT
    steps: list[Step] = Field(default_factory=lambda: [Step(name=n, after_misses=k) for n, k in DEFAULT_STEPS])
    on_meet: Literal["reset", "hold"] = Field("reset", description="a met peildatum resets the misses or holds them")
    takeover: Literal["achterstand", "whole_remaining_task"] = Field(
        "achterstand", description="what the province takes over on the last step")

    @model_validator(mode="after")
    def _increasing(self) -> Ladder:
        counts = [s.after_misses for s in self.steps]
        if not counts:
            raise ValueError("the ladder needs at least one step")
        if any(b <= a for a, b in zip(counts, counts[1:])):
            raise ValueError(f"after_misses must increase from step to step, got {counts}")
        return self


class MonitoringRules(VariantBase):
    """A monitoring rules file: ``kind = "monitoring"``, ``[stoplicht]`` and ``[ladder]``."""

    model_config = STRICT
    kind: Literal["monitoring"] = "monitoring"
    name: str = "default"
    stoplicht: Stoplicht = Field(default_factory=Stoplicht)
    ladder: Ladder = Field(default_factory=Ladder)


def load_rules(name_or_path: str | Path | None = None) -> MonitoringRules:
    """Read and validate a monitoring rules file (a path or a name in models/variants)."""
    return load_variant_file(name_or_path or "monitoring-default", MonitoringRules, "monitoring")


# ------------------------------------------------------------------------------------------
# Realisations
# ------------------------------------------------------------------------------------------

def _count(name: str, text: str) -> Col:
    return Col(name, "int", required=False, nullable=True, min=0, default=pd.NA, help=text)


REALISATION_COLUMNS: tuple[Col, ...] = (
    Col("gm_code", "gm"),
    Col("period", "period"),
    Col("housed", "int", min=0, help="persons housed in the half-year"),
    _count("taakstelling", "the half-year's taakstelling incl. uitruil; empty = statutory, recomputed"),
    Col("carry_in", "int", required=False, nullable=True, default=pd.NA,
        help="achterstand (+) / voorsprong (-) carried in; empty = from the half-year before (0 for the first)"),
    _count("linked_by_deadline", "persons COA linked to the gemeente by 1 April / 1 October"),
    _count("incomplete_dossiers", "persons linked but not housed: dossier incomplete (no BSN or IBAN)"),
    _count("awaiting_nareizigers", "persons linked but not housed: household waiting for nareizigers"),
    Col("excused", "bool", required=False, nullable=True, default=pd.NA,
        help="the province declared the miss excusable (e.g. Covid)"),
)


def check_consecutive(frame: pd.DataFrame, file: str) -> list[Violation]:
    """The half-years of each gemeente follow each other without a gap (the carry-over chain)."""
    out = []
    for gm, part in frame.groupby("gm_code", sort=True):
        periods = sorted(part["period"])
        for a, b in zip(periods, periods[1:]):
            if b != a.next():
                out.append(Violation(file, f"half-years of {gm} have a gap after {a}: {b} follows; give every "
                                           "half-year in between", column="period", value=str(b)))
    return out


def load_realisations(source: str | Path | pd.DataFrame, file: str | None = None) -> pd.DataFrame:
    """Realisations per gemeente and half-year, typed; one row per gemeente and half-year."""
    out, name = validate(source, REALISATION_COLUMNS, file,
                         checks=(partial(check_unique, columns=("gm_code", "period")), check_consecutive))
    out.attrs["file"] = name
    return out


def fill_taakstelling(real: pd.DataFrame) -> pd.DataFrame:
    """Empty taakstelling cells: the statutory taakstelling of that half-year (embedded data)."""
    from optimizer.rules.taakstelling import statutory_taakstelling

    out = real.copy()
    file = real.attrs.get("file", "realisations")
    violations = []
    for p in sorted({p for p, t in zip(out["period"], out["taakstelling"]) if pd.isna(t)}):
        try:
            statutory = statutory_taakstelling(p)["taakstelling"]
        except InputError as exc:
            violations.append(Violation(file, f"no taakstelling given for {p} and it cannot be computed: "
                                              f"{exc.violations[0].rule}; fill the 'taakstelling' column",
                                        column="taakstelling", value=str(p)))
            continue
        rows = (out["period"] == p) & out["taakstelling"].isna()
        out.loc[rows, "taakstelling"] = out.loc[rows, "gm_code"].map(statutory)
    raise_if(violations)
    out["taakstelling"] = out["taakstelling"].astype("int64")
    return out


# ------------------------------------------------------------------------------------------
# Stoplicht
# ------------------------------------------------------------------------------------------

def peildatum(period: Period) -> str:
    """The peildatum that closes ``period``: 1 July or 1 January."""
    return (Period.next(period).start).isoformat()


def with_carry(real: pd.DataFrame) -> pd.DataFrame:
    """Rows sorted by gemeente and half-year with ``carry_in``, ``required`` and ``shortfall``
    filled along each gemeente's chain (module text)."""
    rows = real.sort_values(["gm_code", "period"]).reset_index(drop=True)
    carry, required, shortfall = [], [], []
    previous_gm, previous_short = None, 0
    for gm, given, task, housed in zip(rows["gm_code"], rows["carry_in"], rows["taakstelling"], rows["housed"]):
        c = int(given) if not pd.isna(given) else (previous_short if gm == previous_gm else 0)
        carry.append(c)
        required.append(int(task) + c)
        previous_short = required[-1] - int(housed)
        shortfall.append(previous_short)
        previous_gm = gm
    rows["carry_in"], rows["required"], rows["shortfall"] = carry, required, shortfall
    return rows


def excusable(rows: pd.DataFrame, rules: Stoplicht) -> pd.DataFrame:
    """Per row: ``coa_shortfall`` (persons COA did not link by the deadline; 0 where unknown),
    the persons each switched-on correction excuses (``excusable_coa``, ``excusable_dossiers``,
    ``excusable_nareizigers``), their sum capped at the shortfall, and the tolerance."""
    out = pd.DataFrame(index=rows.index)
    zero = pd.Series(0, index=rows.index, dtype="int64")
    coa = (rows["required"] - rows["linked_by_deadline"].astype("Float64")).clip(lower=0).fillna(0).astype("int64")
    out["coa_shortfall"] = coa
    parts = {"excusable_coa": (rules.coa_shortfall, coa),
             "excusable_dossiers": (rules.incomplete_dossiers, rows["incomplete_dossiers"].fillna(0).astype("int64")),
             "excusable_nareizigers": (rules.awaiting_nareizigers,
                                       rows["awaiting_nareizigers"].fillna(0).astype("int64"))}
    for name, (switched_on, persons) in parts.items():
        out[name] = persons if switched_on else zero
    out["excusable_persons"] = np.minimum(out[list(parts)].sum(axis=1), rows["shortfall"].clip(lower=0))
    share = [math.ceil(rules.tolerance_share * max(0, int(r)) - 1e-9) for r in rows["required"]]
    out["tolerance"] = np.maximum(rules.tolerance_persons, share)
    return out


def verdicts(rows: pd.DataFrame, rules: Stoplicht) -> pd.DataFrame:
    """The rows with the corrections, the strict and the fair verdict (module text)."""
    out = pd.concat([rows, excusable(rows, rules)], axis=1)
    missed = out["shortfall"] > 0
    out["verdict_strict"] = np.where(missed, "red", "green")
    excused = out["excused"].fillna(False).astype(bool)
    covered = out["shortfall"] <= out["tolerance"] + out["excusable_persons"]
    out["verdict_fair"] = np.select([~missed, excused | covered], ["green", "orange"], "red")
    out["peildatum"] = out["period"].map(peildatum)
    return out


# ------------------------------------------------------------------------------------------
# Interventieladder
# ------------------------------------------------------------------------------------------

def step_of(misses: int, ladder: Ladder) -> int:
    """The step reached after ``misses`` counted misses (0 = no step)."""
    return sum(1 for s in ladder.steps if s.after_misses <= misses)


def climb(verdict_list: list[str], ladder: Ladder) -> tuple[list[int], list[int]]:
    """Misses and step after each peildatum of one gemeente (module text: red adds a miss,
    orange freezes, green resets or holds)."""
    misses, steps, m = [], [], 0
    for v in verdict_list:
        if v == "red":
            m += 1
        elif v == "green" and ladder.on_meet == "reset":
            m = 0
        misses.append(m)
        steps.append(step_of(m, ladder))
    return misses, steps


def takeover(rows: pd.DataFrame, steps: pd.Series, ladder: Ladder) -> pd.Series:
    """Persons the province takes over where a row reaches the last step (0 elsewhere)."""
    last = steps == len(ladder.steps)
    next_task = rows.groupby("gm_code")["taakstelling"].shift(-1).fillna(0).astype("int64")
    persons = rows["shortfall"].clip(lower=0)
    if ladder.takeover == "whole_remaining_task":
        persons = persons + next_task
    return persons.where(last, 0).astype("int64")


def ladder_table(rows: pd.DataFrame, ladder: Ladder) -> pd.DataFrame:
    """The rows (sorted by gemeente and half-year) with misses, step, step name and takeover
    under both rules."""
    out = rows.copy()
    names = ["", *[s.name for s in ladder.steps]]
    for mode in ("strict", "fair"):
        misses, steps = [], []
        for _, part in out.groupby("gm_code", sort=True):
            m, s = climb(list(part[f"verdict_{mode}"]), ladder)
            misses += m
            steps += s
        out[f"misses_{mode}"] = misses
        out[f"step_{mode}"] = steps
        out[f"step_name_{mode}"] = [names[s] for s in steps]
        out[f"takeover_{mode}"] = takeover(out, out[f"step_{mode}"], ladder)
    return out


def monitor(real: pd.DataFrame, rules: MonitoringRules) -> pd.DataFrame:
    """Realisations (typed, taakstelling filled) -> one row per gemeente and peildatum with
    carry-over, corrections, both verdicts and both ladders."""
    return ladder_table(verdicts(with_carry(real), rules.stoplicht), rules.ladder)


def latest(table: pd.DataFrame) -> pd.DataFrame:
    """Each gemeente's row of its last peildatum."""
    return table.groupby("gm_code", sort=True).tail(1).reset_index(drop=True)


def spared(table: pd.DataFrame) -> pd.DataFrame:
    """Gemeenten whose fair step on their last peildatum is below the strict one, with the
    peildata the fair rule counted differently (orange instead of red)."""
    last = latest(table)
    ids = set(last.loc[last["step_fair"] < last["step_strict"], "gm_code"])
    rows = table[table["gm_code"].isin(ids) & (table["verdict_fair"] == "orange")]
    return rows.reset_index(drop=True)
