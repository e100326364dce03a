"""Specs and loaders of the user input tables: households, gemeente state, realisation, swaps,
linked so far, locks, previous proposal, provincial totals.

Each table is a spec (a tuple of :class:`~optimizer.data.validation.Col`, documented for users in
``docs/inputs.md``) plus named ``check_*`` functions for its cross-row and cross-table rules; the
``load_*`` functions read a path or a DataFrame (text or typed cells), run
:func:`~optimizer.data.validation.validate` and raise one
:class:`~optimizer.core.errors.InputError` listing everything wrong (file, row, column, value,
rule). Rows are numbered as in a spreadsheet: header = row 1.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import date
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

from optimizer.core.errors import InputError, Violation, raise_if
from optimizer.data import dataset
from optimizer.data.validation import (
    Col,
    check_complete,
    check_known,
    check_unique,
    flag,
    read_input,
    to_numpy_dtypes,
    validate,
    validate_frame,
)
from optimizer.rules.dwellings import DWELLING_COLUMNS, required_class

Source = str | Path | pd.DataFrame

EDUCATION_LEVELS = ("basic", "secondary", "vocational", "higher")
SECTORS = ("agriculture", "industry_energy", "trade_hospitality", "transport_ict", "finance_real_estate",
           "business_services", "public_education_health", "culture_recreation_other", "none")
DUTCH_LEVELS = ("0", "A1", "A2", "B1")
ENGLISH_LEVELS = ("none", "basic", "good")


# --------------------------------------------------------------------------------------------
# Households
# --------------------------------------------------------------------------------------------

HOUSEHOLD_COLUMNS: tuple[Col, ...] = (
    Col("household_id", "str", help="unique ID (no names: household data is personal data)"),
    Col("persons", "int", min=1, max=30, help="household size"),
    Col("adults", "int", min=1, max=30, help="persons aged 18 or over"),
    Col("children", "int", min=0, max=30, help="persons under 18"),
    Col("adult_ages", "list", required=False, default="",
        help="';'-separated ages, one per adult, 18-120; embedded score only: not needed with --scores"),
    Col("child_ages", "list", required=False, default="",
        help="';'-separated ages, one per child, 0-17; needed by continuity_per_school_child (weight > 0) when a "
             "household has children; absent: ages unknown (no children per age band in gemeenten.csv)"),
    Col("size_class", "int", required=False, nullable=True, min=1, max=5, default=pd.NA,
        help="required dwelling class (1-5); at least the class the household size needs; empty = derived"),
    Col("education", "list", required=False, default="",
        help=f"per adult: {', '.join(EDUCATION_LEVELS)}; embedded score only: not needed with --scores"),
    Col("sector", "list", required=False, default="",
        help=f"per adult work-experience sector: {', '.join(SECTORS)}; embedded score only: not needed with --scores"),
    Col("dutch_level", "list", required=False, default="",
        help=f"per adult: {', '.join(DUTCH_LEVELS)}; embedded score only: not needed with --scores"),
    Col("english_level", "list", required=False, default="",
        help=f"per adult: {', '.join(ENGLISH_LEVELS)}; embedded score only: not needed with --scores"),
    Col("tie_family_gm", "gm", required=False, nullable=True, default="", help="first-degree relative lives there"),
    Col("tie_work_gm", "gm", required=False, nullable=True, default="", help="paid work / job offer there"),
    Col("tie_study_gm", "gm", required=False, nullable=True, default="", help="admitted to a study there"),
    Col("tie_medical_amr", "amr", required=False, nullable=True, default="",
        help="specific medical treatment available only in this arbeidsmarktregio"),
    Col("referent_id", "str", required=False, nullable=True, default="", help="nareiziger: household_id of the referent"),
    Col("linked_gm", "gm", required=False, nullable=True, default="",
        help="already linked earlier (context row, e.g. a referent); not re-linked"),
    Col("has_bsn", "bool", required=False, default=True,
        help="dossier has a BSN (no: not linked, incomplete dossier); column absent = every dossier complete (noted)"),
    Col("has_iban", "bool", required=False, default=True,
        help="dossier has an IBAN (as has_bsn); column absent = every dossier complete (noted)"),
    Col("permit_date", "date", required=False, default=None,
        help="date the residence permit was granted; needed by the waiting term (weight waiting > 0)"),
    Col("coa_location_gm", "gm", required=False, default="",
        help="gemeente of the current COA location; needed by the continuity terms (weights > 0)"),
)

#: Household columns only some terms use, and which (:func:`check_needed_columns`).
SCORE_ONLY_COLUMNS = ("adult_ages", "education", "sector", "dutch_level", "english_level")
DOSSIER_COLUMNS = ("has_bsn", "has_iban")

_LIST_RULES: dict[str, tuple[str, Callable[[str], bool], str]] = {
    "adult_ages": ("adults", lambda v: v.isascii() and v.isdigit() and 18 <= int(v) <= 120, "each age a whole number 18-120"),
    "child_ages": ("children", lambda v: v.isascii() and v.isdigit() and 0 <= int(v) <= 17, "each age a whole number 0-17"),
    "education": ("adults", lambda v: v in EDUCATION_LEVELS, f"each one of {', '.join(EDUCATION_LEVELS)}"),
    "sector": ("adults", lambda v: v in SECTORS, f"each one of {', '.join(SECTORS)}"),
    "dutch_level": ("adults", lambda v: v in DUTCH_LEVELS, f"each one of {', '.join(DUTCH_LEVELS)}"),
    "english_level": ("adults", lambda v: v in ENGLISH_LEVELS, f"each one of {', '.join(ENGLISH_LEVELS)}"),
}


def split_list(text: str) -> list[str]:
    """Split a ';'-separated cell into stripped items ('' -> [])."""
    return [t.strip() for t in str(text).split(";")] if str(text).strip() else []


def check_composition(hh: pd.DataFrame, file: str) -> list[Violation]:
    """persons = adults + children."""
    mismatch = (hh["persons"] != hh["adults"] + hh["children"]).fillna(False)
    rule = ("persons must equal adults + children (" + hh["adults"].astype(str) + " + " + hh["children"].astype(str)
            + ")")
    return flag(mismatch, file, rule, "persons", hh["persons"])


def check_lists(hh: pd.DataFrame, file: str, absent: Collection[str] = ()) -> list[Violation]:
    """Per-adult lists hold one entry per adult, child_ages one per child, each entry valid
    (lists whose column is ``absent`` from the file are not checked)."""
    violations = []
    for name, (count_col, item_ok, rule) in _LIST_RULES.items():
        if name in absent:
            continue
        items = [split_list(v) for v in hh[name].tolist()]  # plain values: faster than Series.map on text
        counts, found = hh[count_col], pd.Series([len(xs) for xs in items], index=hh.index, dtype="int64")
        wrong = counts.notna() & (found != counts.fillna(-1)).astype(bool)
        count_rule = ("expected " + counts.astype(str) + f" ';'-separated entries (one per {count_col[:-1]}), found "
                      + found.astype(str))
        invalid = ~wrong & pd.Series([any(not item_ok(v) for v in xs) for xs in items], index=hh.index)
        violations += flag(wrong | invalid, file, count_rule.where(wrong, rule), name, hh[name])
    return violations


def check_size_class(hh: pd.DataFrame, file: str) -> list[Violation]:
    """A given size_class is at least the class the household size needs."""
    need = pd.Series(required_class(hh["persons"].fillna(1).astype(int).to_numpy()), index=hh.index)
    small = hh["size_class"].notna() & (hh["size_class"].astype("Float64") < need).fillna(False)
    rule = "size_class must be at least " + need.astype(str) + " for " + hh["persons"].astype(str) + " persons"
    return flag(small, file, rule, "size_class", hh["size_class"])


def check_referents(hh: pd.DataFrame, file: str) -> list[Violation]:
    """A referent_id names another household of the file that is not itself a nareiziger."""
    refs = hh["referent_id"]
    position = pd.Series(range(len(hh)), index=hh["household_id"])
    position = position[~position.index.duplicated()]
    own = refs.ne("") & refs.eq(hh["household_id"])
    missing = refs.ne("") & ~own & ~refs.isin(position.index)
    referent_row = position.reindex(refs.where(refs.ne("") & ~own & ~missing)).to_numpy()
    chained = pd.Series([not np.isnan(j) and refs.iloc[int(j)] != "" for j in referent_row], index=hh.index)
    return (flag(own, file, "a household cannot be its own referent", "referent_id", refs)
            + flag(missing, file, "referent missing: no household with this household_id in the file", "referent_id",
                   refs)
            + flag(chained, file, "the referent is itself a nareiziger (chains are not allowed)", "referent_id", refs))


#: No residence permit in a households file is older than this (plausibility).
EARLIEST_PERMIT = date(1950, 1, 1)
#: Largest number of persons a state cell may hold (a target or cap beyond it is a typo: the whole
#: country houses ~30,000 statushouders a year).
MAX_PERSONS = 1_000_000


def check_permit_dates(hh: pd.DataFrame, file: str, as_of: date | None = None) -> list[Violation]:
    """Plausible permit dates: not before 1950 and, given the batch date ``as_of``, not after it
    (a household cannot wait for a koppeling before its permit)."""
    dates = hh["permit_date"].reset_index(drop=True)
    known = dates.notna() & dates.map(lambda d: d is not None)
    early = known & dates.map(lambda d: d is not None and d < EARLIEST_PERMIT)
    late = known & dates.map(lambda d: d is not None and as_of is not None and d > as_of)
    return (flag(early, file, f"permit date before {EARLIEST_PERMIT.isoformat()}; expected a recent permit",
                 "permit_date", dates)
            + flag(late, file, f"permit date after the batch date {as_of}; expected a permit granted on or "
                               "before the batch date (--date)", "permit_date", dates))


def validate_households(df: pd.DataFrame, file: str = "households") -> pd.DataFrame:
    """Validate and type a households table; raise :class:`InputError` listing every violation.

    Rules: unique non-empty household_id; persons = adults + children; per-adult lists have one
    entry per adult and per-child ages one per child, in range; size_class at least the class
    the household size needs; every gemeente/AMR code known; a referent_id names another
    household of the file that is not itself a nareiziger; booleans and dates parse.
    """
    return load_households(df, file)


def load_households(path: Source, file: str | None = None) -> pd.DataFrame:
    """Read and validate a households file (CSV/XLSX/Parquet) or frame; index household_id.

    Columns only some terms use (:data:`SCORE_ONLY_COLUMNS`, ``permit_date``,
    ``coa_location_gm``, :data:`DOSSIER_COLUMNS`) may be absent; the names of the absent ones
    are in ``attrs["absent"]``, and :func:`check_needed_columns` says which a run needs.
    """
    df, name = read_input(path, file)
    absent = tuple(c.name for c in HOUSEHOLD_COLUMNS if not c.required and c.name not in df.columns)
    out = validate_frame(df, HOUSEHOLD_COLUMNS, name, personal=True, checks=(
        partial(check_unique, columns="household_id"), check_composition, partial(check_lists, absent=absent),
        check_size_class, check_referents, check_permit_dates))
    need = pd.Series(required_class(out["persons"].astype(int).to_numpy()), index=out.index)
    out["size_class"] = out["size_class"].astype("Float64").fillna(need.astype(float)).astype("int64")
    out = to_numpy_dtypes(out, HOUSEHOLD_COLUMNS)
    out = out.set_index("household_id", drop=False)
    out.attrs["absent"] = absent
    out.attrs["file"] = name
    return out


def check_needed_columns(hh: pd.DataFrame, file: str, *, scores_given: bool, weights: dict[str, float]) -> list[Violation]:
    """The optional household columns a run needs are present (``hh.attrs["absent"]`` lists the
    absent ones): the embedded employment score needs :data:`SCORE_ONLY_COLUMNS` (not needed
    with ``--scores``); the waiting term (weight > 0) needs ``permit_date``; the continuity
    terms (weights > 0) need ``coa_location_gm``, and ``continuity_per_school_child`` (weight > 0)
    ``child_ages`` when a household has children."""
    absent = set(hh.attrs.get("absent", ()))
    needs: list[tuple[str, str]] = []
    if not scores_given:
        needs += [(c, "the embedded employment score uses it; give the column, or your own scores with --scores")
                  for c in SCORE_ONLY_COLUMNS]
    if weights.get("waiting", 0.0) > 0:
        needs.append(("permit_date", f"the waiting term uses it (weight waiting = {weights['waiting']:g}); give the "
                                     "column, or set waiting = 0 in the variant"))
    continuity = {t: weights.get(t, 0.0) for t in ("continuity", "continuity_per_school_child")}
    if any(v > 0 for v in continuity.values()):
        shown = ", ".join(f"{t} = {v:g}" for t, v in continuity.items())
        needs.append(("coa_location_gm", f"the continuity terms use it ({shown}); give the column, or set both "
                                         "weights to 0 in the variant"))
    school = weights.get("continuity_per_school_child", 0.0)
    if school > 0 and (hh["children"] > 0).any():
        needs.append(("child_ages", f"the continuity_per_school_child term uses it (weight {school:g}) and some "
                                    "households have children; give the column, or set that weight to 0"))
    return [Violation(file, f"required column is missing: {why}", column=c) for c, why in needs if c in absent]


# --------------------------------------------------------------------------------------------
# Gemeente state (input of a koppeling run)
# --------------------------------------------------------------------------------------------

STATE_COLUMNS: tuple[Col, ...] = (
    Col("gm_code", "gm"),
    Col("target", "float", min=0, max=MAX_PERSONS,
        help="persons to link in this batch, or in the half-year (rule: docs/cycle.md)"),
    *(Col(c, "int", min=0, help=f"dwellings of class {c[-1]} available") for c in DWELLING_COLUMNS),
    Col("housing_pressure", "float", required=False, nullable=True, min=0, max=1, default=pd.NA,
        help="0 (relaxed) - 1 (tight); empty = embedded modelled index"),
    Col("cap_persons", "float", required=False, nullable=True, min=0, max=MAX_PERSONS, default=pd.NA,
        help="maximum persons linked in this batch (leefbaarheid); empty = no cap"),
    Col("cap_households", "float", required=False, nullable=True, min=0, max=MAX_PERSONS, default=pd.NA,
        help="maximum households linked in this batch; empty = no cap"),
    Col("taakstelling", "int", required=False, nullable=True, default=pd.NA, help="half-year taakstelling (information)"),
    Col("linked", "int", required=False, nullable=True, min=0, default=pd.NA, help="persons linked towards the half-year before this batch"),
)


def validate_state(df: pd.DataFrame, file: str = "state") -> pd.DataFrame:
    """Validate a gemeente state table: every gemeente of the dataset exactly once."""
    return load_state(df, file)


def load_state(path: Source, file: str | None = None) -> pd.DataFrame:
    """Read and validate a gemeente state file or frame (e.g. the output of
    :func:`optimizer.rules.state.build_state`); index gm_code, sorted."""
    out, _ = validate(path, STATE_COLUMNS, file, checks=(dataset.check_every_gemeente_once,))
    out = to_numpy_dtypes(out.set_index("gm_code").sort_index(), STATE_COLUMNS)
    pressure = dataset.load_housing()["housing_pressure"]
    out["housing_pressure"] = out["housing_pressure"].astype("Float64").fillna(pressure.reindex(out.index).astype("Float64")).astype(float)
    return out


# --------------------------------------------------------------------------------------------
# Realisation, swaps, linked-so-far, locks, previous proposal
# --------------------------------------------------------------------------------------------

REALISED_COLUMNS = (
    Col("gm_code", "gm"),
    Col("period", "period"),
    Col("housed", "int", min=0, help="persons housed in that half-year"),
    Col("target", "int", required=False, nullable=True, default=pd.NA,
        help="that half-year's target; empty = statutory taakstelling recomputed"),
)


def load_realised(path: Source, file: str | None = None) -> pd.DataFrame:
    """Persons housed per gemeente in earlier half-years (for achterstand/voorsprong)."""
    out, name = validate(path, REALISED_COLUMNS, file, checks=(partial(check_unique, columns=("gm_code", "period")),))
    out.attrs["file"] = name
    return out


SWAP_COLUMNS = (
    Col("swap_id", "str", help="agreement identifier; each agreement's deltas sum to 0"),
    Col("gm_code", "gm"),
    Col("delta", "int", help="persons added (+) to or taken (-) from this gemeente's taakstelling"),
)


def check_swaps_balanced(swaps: pd.DataFrame, file: str) -> list[Violation]:
    """The deltas of each uitruil agreement sum to 0 (Huisvestingswet art. 29(2))."""
    sums = swaps.groupby("swap_id", sort=True)["delta"].sum()
    return [Violation(file, f"the deltas of this swap sum to {int(total)}; an uitruil must keep the sum unchanged (0)",
                      column="swap_id", value=sid) for sid, total in sums.items() if int(total) != 0]


def load_swaps(path: Source, file: str | None = None) -> pd.DataFrame:
    """Uitruil agreements (art. 29(2)); rejected unless each agreement sums to zero."""
    out, name = validate(path, SWAP_COLUMNS, file)
    raise_if(check_swaps_balanced(out, name) + check_unique(out, name, ("swap_id", "gm_code")))
    out = to_numpy_dtypes(out, SWAP_COLUMNS)
    out.attrs["file"] = name
    return out


LINKED_COLUMNS = (Col("gm_code", "gm"), Col("linked", "int", min=0, help="persons linked so far this half-year"))


def _load_keyed(path: Source, file: str | None, cols: tuple[Col, Col], *, personal: bool = False) -> pd.Series:
    """A two-column table read as a Series ``first column -> second``; every key at most once."""
    key, value = cols[0].name, cols[1].name
    out, name = validate(path, cols, file, personal=personal)
    raise_if(check_unique(out, name, key))
    return to_numpy_dtypes(out, cols).set_index(key)[value]


def load_linked(path: Source, file: str | None = None) -> pd.Series:
    """Persons linked so far this half-year: gm_code -> persons."""
    return _load_keyed(path, file, LINKED_COLUMNS)


#: Rule text of a household_id not in the households file (locks, scores).
UNKNOWN_HOUSEHOLD = "unknown household_id (not in the households file)"

LOCK_COLUMNS = (
    Col("household_id", "str"),
    Col("gm_code", "gm"),
    Col("action", "choice", choices=("fix", "forbid"), help="fix: link here; forbid: never link here"),
)


def linked_family_gemeenten(households: pd.DataFrame) -> dict[str, set[str]]:
    """Household -> gemeenten where its family already lives: the gemeente of its referent,
    if that was linked earlier, and those of its nareizigers linked earlier. A family is never
    split (nareizigers go to their referent; DOMAIN.md), so such a household may go only there.
    ``households`` is a validated households frame (index household_id)."""
    out: dict[str, set[str]] = {}
    linked = households["linked_gm"]
    for hid, ref in zip(households.index, households["referent_id"]):
        if ref and ref in households.index:
            if linked[ref]:  # a nareiziger whose referent was linked earlier
                out.setdefault(hid, set()).add(linked[ref])
            if linked[hid]:  # a referent whose nareiziger was linked earlier
                out.setdefault(ref, set()).add(linked[hid])
    return out


def check_one_fix(locks: pd.DataFrame, file: str) -> list[Violation]:
    """A household is fixed to one gemeente at most."""
    fixes = locks["action"].eq("fix")
    twice = fixes & locks["household_id"].where(fixes).duplicated(keep=False)
    return flag(twice, file, "a household can be fixed to one gemeente only", "household_id", locks["household_id"])


def check_locks_respect_households(locks: pd.DataFrame, file: str, households: pd.DataFrame) -> list[Violation]:
    """A lock may not change an earlier koppeling, link an incomplete dossier, or separate a
    family from members linked earlier (families are never split)."""
    violations = []
    family = linked_family_gemeenten(households)
    for i, (hid, gm, action) in enumerate(zip(locks["household_id"], locks["gm_code"], locks["action"])):
        if hid not in households.index:
            continue
        row = int(locks.index[i]) + 2
        if households.at[hid, "linked_gm"]:
            violations.append(Violation(file, f"household {hid} was already linked to {households.at[hid, 'linked_gm']}"
                                              "; a lock cannot change an earlier koppeling", row=row,
                                        column="household_id", value=hid))
            continue
        if not (households.at[hid, "has_bsn"] and households.at[hid, "has_iban"]):
            violations.append(Violation(file, f"household {hid} has an incomplete dossier (no BSN or IBAN) and "
                                              "cannot be linked; remove the lock", row=row,
                                        column="household_id", value=hid))
            continue
        family_gms = family.get(hid, set())
        if family_gms and ((action == "fix" and gm not in family_gms) or (action == "forbid" and gm in family_gms)):
            violations.append(Violation(
                file, f"household {hid} must join its family (referent or nareizigers linked earlier) in "
                      f"{', '.join(sorted(family_gms))}; this lock would separate the family",
                row=row, column="gm_code", value=gm))
    return violations


def _lock_violation(file: str, locks: pd.DataFrame, i: int, rule: str) -> Violation:
    return Violation(file, rule, row=int(locks.index[i]) + 2, column="gm_code", value=locks["gm_code"].iloc[i])


def _fixes_beyond_dwellings(locks: pd.DataFrame, file: str, need: pd.Series, state: pd.DataFrame) -> list[Violation]:
    """Per gemeente: the households fixed there fit its dwellings (for every class k, those
    needing class k or larger are at most its dwellings of class k or larger; two single adults
    may share a class-2 dwelling, so class 1 also counts the class-2 dwellings twice)."""
    violations = []
    fixes = locks[locks["action"].eq("fix")]
    for gm, rows in fixes.groupby("gm_code", sort=True):
        needs = need.reindex(rows["household_id"]).to_numpy()
        offer = [int(state.at[gm, c]) for c in DWELLING_COLUMNS]
        for k in range(1, len(offer) + 1):
            n_fixed = int((needs >= k).sum())
            room = sum(offer[k - 1:]) + (offer[1] if k == 1 else 0)
            if n_fixed > room:
                rule = (f"{n_fixed} households fixed to {gm} need a dwelling of class {k} or larger; the state offers "
                        f"{room} there: these locks cannot all be honoured")
                violations += [_lock_violation(file, locks, locks.index.get_loc(i), rule)
                               for i, h in zip(rows.index, needs) if h >= k]
                break
    return violations


def check_locks_can_be_honoured(locks: pd.DataFrame, file: str, households: pd.DataFrame,
                                state: pd.DataFrame) -> list[Violation]:
    """What can be known before the solve: a household fixed to a gemeente gets a dwelling of its
    class or larger there and fits its caps, the households fixed there fit its dwellings, and
    a referent and its nareiziger in the batch (who go together) are not fixed apart or fixed
    where the other is forbidden. ``state`` is a validated state (index gm_code)."""
    violations = []
    in_batch = locks["household_id"].isin(households.index)
    need = households["size_class"]
    fixed = {h: g for h, g, a, ok in zip(locks["household_id"], locks["gm_code"], locks["action"], in_batch)
             if a == "fix" and ok}
    forbidden = {(h, g) for h, g, a in zip(locks["household_id"], locks["gm_code"], locks["action"]) if a == "forbid"}
    for i, (hid, gm, action) in enumerate(zip(locks["household_id"], locks["gm_code"], locks["action"])):
        if action != "fix" or not in_batch.iloc[i]:
            continue
        k, persons = int(need[hid]), int(households.at[hid, "persons"])
        if sum(int(state.at[gm, c]) for c in DWELLING_COLUMNS[k - 1:]) == 0:
            violations.append(_lock_violation(file, locks, i, f"household {hid} needs a dwelling of class {k} or larger; "
                                                            f"{gm} offers none in this batch: the lock cannot be honoured"))
        cap_h, cap_p = state.at[gm, "cap_households"], state.at[gm, "cap_persons"]
        if (pd.notna(cap_h) and cap_h < 1) or (pd.notna(cap_p) and cap_p < persons):
            violations.append(_lock_violation(file, locks, i, f"{gm} has a cap that leaves no room for household {hid} "
                                                            f"({persons} persons): the lock cannot be honoured"))
        ref = households.at[hid, "referent_id"]
        partners = [ref] if ref else list(households.index[households["referent_id"].eq(hid)])
        for other in partners:
            if other not in households.index or households.at[other, "linked_gm"]:
                continue
            if fixed.get(other, gm) != gm or (other, gm) in forbidden:
                violations.append(_lock_violation(
                    file, locks, i, f"household {hid} and {other} (referent and nareiziger) go to one gemeente; "
                                    f"the locks fix {hid} to {gm} but {'fix' if other in fixed else 'forbid'} "
                                    f"{other} {'to ' + fixed[other] if other in fixed else 'there'}"))
    flagged = {v.row for v in violations}  # one reason per lock row is enough
    return violations + [v for v in _fixes_beyond_dwellings(locks[in_batch], file, need, state) if v.row not in flagged]


def load_locks(path: Source, households: pd.DataFrame, file: str | None = None) -> pd.DataFrame:
    """Planner locks: fix or forbid household-gemeente pairs."""
    out, name = validate(path, LOCK_COLUMNS, file, personal=True)
    raise_if(check_known(out, name, "household_id", households.index, UNKNOWN_HOUSEHOLD)
             + check_one_fix(out, name) + check_unique(out, name, ("household_id", "gm_code"))
             + check_locks_respect_households(out, name, households))
    return out


PREVIOUS_COLUMNS = (Col("household_id", "str"), Col("gm_code", "gm", nullable=True))


def load_previous(path: Source, file: str | None = None) -> pd.Series:
    """A previous proposal (its proposal.csv): household_id -> gm_code ('' = not linked)."""
    return _load_keyed(path, file, PREVIOUS_COLUMNS, personal=True)


# --------------------------------------------------------------------------------------------
# Provincial totals (reception variant: provinces.totals = "file")
# --------------------------------------------------------------------------------------------

def load_provincial_totals(path: Source, column: str, provinces: pd.Series, file: str | None = None) -> pd.Series:
    """Provincial totals from a table with ``provincie_code`` (or ``provincie``, the name) and
    ``column`` (places, whole numbers >= 0); every province exactly once.

    ``provinces`` maps provincie_code -> provincie (name). Returns provincie_code -> places
    (``province_total``) in the order of ``provinces``.
    """
    df, name = read_input(path, file)
    key = next((c for c in ("provincie_code", "provincie") if c in df.columns), None)
    violations = []
    if key is None:
        violations.append(Violation(name, "needs a column provincie_code (PV20..PV31) or provincie (name)"))
    if column not in df.columns:
        violations.append(Violation(name, f"column with the places per province not found (columns: "
                                          f"{', '.join(map(str, df.columns))}); set provinces.column", column=column))
    raise_if(violations)
    code_of = {str(c) if key == "provincie_code" else str(n): str(c) for c, n in provinces.items()}
    cols = (Col(key, "choice", choices=tuple(code_of), rule=f"unknown province; expected one of {', '.join(code_of)}"),
            Col(column, "int", min=0, help="places in the province"))
    out = validate_frame(df, cols, name, checks=(partial(check_unique, columns=key),
                                                 partial(check_complete, column=key, expected=code_of,
                                                         what="province")))
    totals = pd.Series(out[column].astype("int64").to_numpy(), index=out[key].map(code_of))
    return totals.reindex(provinces.index).astype("int64").rename("province_total")


# --------------------------------------------------------------------------------------------
# Generic placement: capacities per named resource, allowed gemeenten per household
# --------------------------------------------------------------------------------------------

#: Resources every household uses without a column of its own (households: 1 each).
BUILTIN_RESOURCES = ("households", "persons", "adults", "children")
RESOURCE_PATTERN = r"[a-z][a-z0-9_]*"

CAPACITY_COLUMNS = (
    Col("gm_code", "gm"),
    Col("resource", "str", pattern=RESOURCE_PATTERN,
        help=f"a named resource: {', '.join(BUILTIN_RESOURCES)} (built in), or the name of a numeric column "
             "of the households file giving each household's use of it (e.g. seniors, wheelchair)"),
    Col("capacity", "float", min=0, help="most of the resource the households linked to the gemeente may use "
                                         "in this run; a gemeente without a row for a resource has no cap on it"),
)


def load_capacities(path: Source, file: str | None = None) -> pd.DataFrame:
    """Capacities per gemeente and named resource (gm_code, resource, capacity)."""
    out, name = validate(path, CAPACITY_COLUMNS, file, checks=(partial(check_unique, columns=("gm_code", "resource")),))
    out = to_numpy_dtypes(out, CAPACITY_COLUMNS)
    out.attrs["file"] = name
    return out


def capacity_resources(path: Source) -> set[str]:
    """The well-formed resource names of a capacities file, read without validating the rest
    (so that missing usage columns are reported with the file's other problems)."""
    try:
        df, _ = read_input(path)
    except InputError:  # an unreadable file is reported by load_capacities
        return set()
    if "resource" not in df.columns:
        return set()
    names = df["resource"].astype(str).str.strip()
    return set(names[names.str.fullmatch(RESOURCE_PATTERN)])


def usage_columns(resources: Collection[str]) -> tuple[Col, ...]:
    """The households file's usage columns of the non-built-in ``resources`` (numbers >= 0)."""
    return tuple(Col(r, "float", min=0, help=f"use of resource {r} by the household")
                 for r in sorted(set(resources) - set(BUILTIN_RESOURCES)))


def load_usage(path: Source, resources: Collection[str], households: pd.DataFrame,
               file: str | None = None) -> pd.DataFrame:
    """Each household's use of the named ``resources`` that are not built in: a numeric column
    of the households file named after the resource (a missing column names the capacities
    that need it). Index household_id, in the order of ``households``."""
    cols = usage_columns(resources)
    df, name = read_input(path, file)
    missing = [Violation(name, "required column is missing: the capacities file names this resource, so every "
                               f"household needs its use of it (a number >= 0; built in: {', '.join(BUILTIN_RESOURCES)})",
                         column=c.name) for c in cols if c.name not in df.columns]
    raise_if(missing)
    out = validate_frame(df[[c.name for c in cols]], cols, name, personal=True)
    out.index = households["household_id"].to_numpy()
    return out.astype(float)


ALLOWED_COLUMNS = (
    Col("household_id", "str"),
    Col("gm_code", "gm", help="a gemeente the household may go to (one row per allowed pair)"),
)


def load_allowed(path: Source, households: pd.DataFrame, file: str | None = None) -> pd.DataFrame:
    """Allowed sets: a household with rows here may go only to the gemeenten listed for it (a
    household without rows may go anywhere its ties and locks allow)."""
    out, name = validate(path, ALLOWED_COLUMNS, file, personal=True)
    raise_if(check_known(out, name, "household_id", households.index, UNKNOWN_HOUSEHOLD)
             + check_unique(out, name, ("household_id", "gm_code")))
    out.attrs["file"] = name
    return out
