"""Independent checks of koppeling solutions, and a brute-force reference optimum.

Nothing here imports ``models/`` or ``optimizer/koppeling*.py``: every rule is re-derived
from the input frames (households, state, locks, previous) and the written output tables
(``proposal``, ``gemeenten``), following the documented model (``docs/model.md``,
``docs/households.md``, ``docs/inputs.md``). Only the embedded gemeente attributes (zone:
arbeidsmarktregio and COA region) come from ``optimizer.data.dataset``.

* :func:`check_proposal` re-checks every hard rule of a solution and the bookkeeping of the
  tables, and raises one ``AssertionError`` listing every problem found.
* :class:`Instance`, :func:`evaluate` and :func:`brute_force` compute the documented objective
  of any assignment (with the cheapest dwelling allocation per gemeente) and the optimum by
  enumeration, for tiny instances.
* Helpers at the end build tiny input frames and variant files for the tests.
"""

from __future__ import annotations

import functools
import itertools
import math
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from optimizer.data import dataset

DAYS_PER_MONTH = 30.4375
CLASSES = (1, 2, 3, 4, 5)
SHARED_CLASS = 2
AGE_BANDS = ((0, 3), (4, 11), (12, 17))
OWN_TERMS = ("labour", "continuity", "continuity_per_school_child", "tie", "change")
WEIGHT_NAMES = ("quota", "pressure", "minimax", "size_fit", "sharing", "labour", "continuity",
                "continuity_per_school_child", "tie", "change", "unplaced", "waiting")
STATUSES = {"linked", "unplaced", "excluded", "context"}


# ------------------------------------------------------------------------------------------
# Small parsing helpers (tables may come from memory or from a CSV file)
# ------------------------------------------------------------------------------------------

def required_class(persons: int) -> int:
    """docs/households.md: 1 -> 1, 2 -> 2, 3-4 -> 3, 5-6 -> 4, 7+ -> 5."""
    return 1 if persons <= 1 else 2 if persons == 2 else 3 if persons <= 4 else 4 if persons <= 6 else 5


def _text(x) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NA:
        return ""
    s = str(x).strip()
    return "" if s.lower() in ("nan", "<na>", "none") else s


def _bool(x) -> bool:
    return _text(x).lower() in ("true", "1", "yes", "ja", "y", "j", "waar", "1.0")


def _num(x) -> float:
    s = _text(x)
    return float(s) if s else math.nan


def _int(x) -> int:
    """A whole number from a cell; -1 when empty or not a number (reported by the caller)."""
    v = _num(x) if _text(x).replace(".", "", 1).lstrip("-").isdigit() else math.nan
    return -1 if math.isnan(v) else int(v)


def _items(x) -> list[str]:
    s = _text(x)
    return [t.strip() for t in s.split(";")] if s else []


@functools.lru_cache(maxsize=1)
def gemeente_zones() -> pd.DataFrame:
    """gm_code -> amr_code, coa_region (embedded dataset)."""
    return dataset.load_gemeenten()[["amr_code", "coa_region"]].copy()


@dataclass
class HH:
    """One household as read from the input file."""

    id: str
    persons: int
    adults: int
    children: int
    child_ages: list[int]
    need: int
    ties: list[str]
    medical: str
    referent: str
    linked_gm: str
    complete: bool
    permit: date | None  # None: no permit_date column (generic instances)
    coa_gm: str


def read_households(df: pd.DataFrame) -> dict[str, HH]:
    """Households by id, in file order (a validated frame or a raw string frame)."""
    out: dict[str, HH] = {}
    for r in df.to_dict("records"):
        persons = int(_num(r["persons"]))
        given = _text(r.get("size_class", ""))
        need = max(required_class(persons), int(float(given))) if given else required_class(persons)
        permit = r.get("permit_date")
        if not isinstance(permit, date):
            permit = date.fromisoformat(_text(permit)) if _text(permit) else None
        out[_text(r["household_id"])] = HH(
            id=_text(r["household_id"]), persons=persons, adults=int(_num(r["adults"])),
            children=int(_num(r["children"])), child_ages=[int(a) for a in _items(r.get("child_ages", ""))],
            need=need,
            ties=[_text(r.get(c, "")).upper() for c in ("tie_family_gm", "tie_work_gm", "tie_study_gm")
                  if _text(r.get(c, ""))],
            medical=_text(r.get("tie_medical_amr", "")).upper(), referent=_text(r.get("referent_id", "")),
            linked_gm=_text(r.get("linked_gm", "")).upper(),
            complete=_bool(r.get("has_bsn", True)) and _bool(r.get("has_iban", True)), permit=permit,
            coa_gm=_text(r.get("coa_location_gm", "")).upper())
    return out


@dataclass
class GM:
    target: float
    dwellings: tuple[int, int, int, int, int]
    pressure: float
    cap_persons: float
    cap_households: float


def read_state(df: pd.DataFrame) -> dict[str, GM]:
    """Gemeente state by code (a validated frame indexed by gm_code, or a raw frame)."""
    d = df.reset_index() if "gm_code" not in df.columns else df
    out = {}
    for r in d.to_dict("records"):
        out[_text(r["gm_code"]).upper()] = GM(
            target=_num(r["target"]), dwellings=tuple(int(_num(r[f"dwellings_c{k}"])) for k in CLASSES),
            pressure=_num(r.get("housing_pressure", "")) if _text(r.get("housing_pressure", "")) else math.nan,
            cap_persons=_num(r.get("cap_persons", "")), cap_households=_num(r.get("cap_households", "")))
    return out


def read_locks(locks: pd.DataFrame | None) -> tuple[dict[str, str], dict[str, set[str]]]:
    fix: dict[str, str] = {}
    forbid: dict[str, set[str]] = {}
    if locks is None:
        return fix, forbid
    for r in locks.to_dict("records"):
        hid, gm, action = _text(r["household_id"]), _text(r["gm_code"]).upper(), _text(r["action"])
        if action == "fix":
            fix[hid] = gm
        else:
            forbid.setdefault(hid, set()).add(gm)
    return fix, forbid


def classify(hh: dict[str, HH]) -> dict[str, str]:
    """context / excluded / decide per household (docs/model.md, "not decided")."""
    status = {}
    for h in hh.values():
        if h.linked_gm:
            status[h.id] = "context"
        elif not h.complete:
            status[h.id] = "excluded"
        else:
            status[h.id] = "decide"
    for h in hh.values():
        if status[h.id] == "decide" and h.referent and status.get(h.referent) == "excluded":
            status[h.id] = "excluded"
    return status


def allowed_gemeenten(h: HH, hh: dict[str, HH], codes: list[str], *, ties: str = "hard", medical: str = "hard",
                      fix: dict[str, str] | None = None, forbid: dict[str, set[str]] | None = None) -> set[str]:
    """Gemeenten a household may be linked to (hard rules only; links between batch households
    are a separate rule)."""
    zones = gemeente_zones()
    allowed = set(codes)
    if h.ties and ties == "hard":
        allowed = set(h.ties)
    if h.medical and medical == "hard":
        med = {g for g in codes if zones.loc[g, "amr_code"] == h.medical}
        allowed = (allowed & med) if (allowed & med) else med
    ref = hh.get(h.referent) if h.referent else None
    if ref is not None and ref.linked_gm:
        allowed = {ref.linked_gm}
    if forbid and h.id in forbid:
        allowed -= forbid[h.id]
    if fix and h.id in fix:
        allowed = {fix[h.id]}
    return allowed


# ------------------------------------------------------------------------------------------
# The solution checker
# ------------------------------------------------------------------------------------------

def check_proposal(proposal: pd.DataFrame, gemeenten: pd.DataFrame, households: pd.DataFrame, state: pd.DataFrame,
                   locks: pd.DataFrame | None = None, *, ties: str = "hard", medical: str = "hard",
                   sharing: bool = True, capacities: pd.DataFrame | None = None,
                   allowed_sets: pd.DataFrame | None = None) -> dict[str, str]:
    """Re-check every rule of a koppeling solution from its output tables and its inputs.

    ``capacities`` (gm_code, resource, capacity): every named resource's use per gemeente
    (``households`` 1 each, otherwise the households column of that name) is within it.
    ``allowed_sets`` (household_id, gm_code): a listed household is linked only to a listed gemeente.

    Raises one AssertionError listing every problem; returns household_id -> gm_code ('' if
    not linked) for further checks.
    """
    problems: list[str] = []
    hh = read_households(households)
    st = read_state(state)
    codes = sorted(st)
    fix, forbid = read_locks(locks)
    expected_status = classify(hh)
    zones = gemeente_zones()

    # --- every household exactly once, with a status ---------------------------------------
    ids = [_text(x) for x in proposal["household_id"]]
    if len(ids) != len(set(ids)):
        dup = sorted({i for i in ids if ids.count(i) > 1})
        problems.append(f"households listed more than once: {dup}")
    if set(ids) != set(hh):
        problems.append(f"proposal households differ from input: missing {sorted(set(hh) - set(ids))}, "
                        f"unknown {sorted(set(ids) - set(hh))}")
    if len(ids) != len(hh):
        problems.append(f"proposal has {len(ids)} rows for {len(hh)} input households")
    rows = {_text(r["household_id"]): r for r in proposal.to_dict("records")}
    gm_of: dict[str, str] = {}
    for hid, r in rows.items():
        if hid not in hh:
            continue
        h = hh[hid]
        status = _text(r["status"])
        gm = _text(r["gm_code"]).upper()
        gm_of[hid] = gm if status == "linked" else ""
        if status not in STATUSES:
            problems.append(f"{hid}: unknown status {status!r}")
            continue
        exp = expected_status[hid]
        if exp == "context" and status != "context":
            problems.append(f"{hid}: linked earlier (linked_gm {h.linked_gm}) but status {status}")
        if exp == "excluded" and status != "excluded":
            problems.append(f"{hid}: incomplete dossier (or referent excluded) but status {status}")
        if exp == "decide" and status not in ("linked", "unplaced"):
            problems.append(f"{hid}: complete dossier awaiting a koppeling but status {status}")
        if status == "excluded" and not _text(r.get("reason", "")):
            problems.append(f"{hid}: excluded without a reason")
        if status == "unplaced" and not _text(r.get("reason", "")):
            problems.append(f"{hid}: unplaced without a reason")
        if status == "context" and gm != h.linked_gm:
            problems.append(f"{hid}: context row with gm_code {gm!r}, linked_gm {h.linked_gm!r}")
        if status in ("unplaced", "excluded") and gm:
            problems.append(f"{hid}: status {status} but gm_code {gm}")
        for col, val in (("persons", h.persons), ("adults", h.adults), ("children", h.children)):
            if _int(r[col]) != val:
                problems.append(f"{hid}: {col} {r[col]} in proposal, {val} in input")
        if status not in ("linked", "unplaced") or exp != "decide":
            continue
        if _int(r["needed_class"]) != h.need:
            problems.append(f"{hid}: needed_class {r['needed_class']}, expected {h.need}")
        if status == "unplaced":
            continue
        # --- linked: one known gemeente, a dwelling that fits, hard rules ---------------------
        if gm not in st:
            problems.append(f"{hid}: linked to unknown gemeente {gm!r}")
            continue
        d = _int(r["dwelling_class"])
        shared = _bool(r["shared_dwelling"])
        if shared:
            if not sharing:
                problems.append(f"{hid}: shares a dwelling although sharing is off")
            if d != SHARED_CLASS or h.need != 1 or h.persons != 1:
                problems.append(f"{hid}: shared dwelling class {d} for a household of {h.persons} needing {h.need}")
        elif d < h.need:
            problems.append(f"{hid}: dwelling class {d} below needed class {h.need}")
        if d not in CLASSES:
            problems.append(f"{hid}: dwelling class {d} unknown")
        allowed = allowed_gemeenten(h, hh, codes, ties=ties, medical=medical, fix=fix, forbid=forbid)
        if gm not in allowed:
            problems.append(f"{hid}: linked to {gm}, not allowed (ties/medical/referent/locks allow "
                            f"{sorted(allowed)[:5]})")
        for c in ("coa_region", "amr_code"):
            if c in r and _text(r[c]) != zones.loc[gm, c]:
                problems.append(f"{hid}: {c} {r[c]!r} is not that of {gm} ({zones.loc[gm, c]})")

    # --- nareizigers with their referent ----------------------------------------------------
    for h in hh.values():
        if not h.referent or expected_status[h.id] != "decide" or h.referent not in hh:
            continue
        if h.id in fix:
            continue  # a planner's fix overrides the referent rule (as it overrides ties)
        ref = hh[h.referent]
        mine = gm_of.get(h.id, "")
        if ref.linked_gm:
            if mine and mine != ref.linked_gm:
                problems.append(f"{h.id}: nareiziger linked to {mine}, referent {ref.id} lives in {ref.linked_gm}")
        elif expected_status.get(ref.id) == "decide":
            theirs = gm_of.get(ref.id, "")
            if mine != theirs:
                problems.append(f"{h.id}: nareiziger in {mine or 'no gemeente'}, referent {ref.id} in "
                                f"{theirs or 'no gemeente'}")

    # --- per gemeente: persons, households, dwellings, caps, children ----------------------
    g_codes = [_text(c).upper() for c in gemeenten["gm_code"]]
    if sorted(g_codes) != codes:
        problems.append(f"gemeenten table has {len(g_codes)} gemeenten, state {len(st)}")
    persons = {g: 0 for g in st}
    count = {g: 0 for g in st}
    used = {g: [0.0] * 5 for g in st}
    shared_n = {g: 0 for g in st}
    bands = {g: [0, 0, 0] for g in st}
    for hid, gm in gm_of.items():
        if not gm or gm not in st:
            continue
        h = hh[hid]
        r = rows[hid]
        persons[gm] += h.persons
        count[gm] += 1
        d = _int(r["dwelling_class"])
        sh = _bool(r["shared_dwelling"])
        if 1 <= d <= 5:
            used[gm][d - 1] += 0.5 if sh else 1.0
        shared_n[gm] += int(sh)
        for a in h.child_ages:
            for b, (lo, hi) in enumerate(AGE_BANDS):
                if lo <= a <= hi:
                    bands[gm][b] += 1
    for g, s in st.items():
        for d in CLASSES:
            if used[g][d - 1] > s.dwellings[d - 1] + 1e-9:
                problems.append(f"{g}: {used[g][d - 1]:g} class-{d} dwellings used, {s.dwellings[d - 1]} offered")
        if shared_n[g] % 2:
            problems.append(f"{g}: {shared_n[g]} households in shared dwellings (not in pairs)")
        if not math.isnan(s.cap_persons) and persons[g] > s.cap_persons + 1e-9:
            problems.append(f"{g}: {persons[g]} persons above cap {s.cap_persons:g}")
        if not math.isnan(s.cap_households) and count[g] > s.cap_households + 1e-9:
            problems.append(f"{g}: {count[g]} households above cap {s.cap_households:g}")
    # the gemeenten table, column by column against what the proposal and the state imply
    expected = {
        "persons": [persons.get(g, 0) for g in g_codes],
        "households": [count.get(g, 0) for g in g_codes],
        "target": [st[g].target if g in st else math.nan for g in g_codes],
        "deviation": [persons.get(g, 0) - st[g].target if g in st else math.nan for g in g_codes],
    }
    for d in CLASSES:
        expected[f"dwellings_offered_c{d}"] = [st[g].dwellings[d - 1] if g in st else -1 for g in g_codes]
        expected[f"dwellings_used_c{d}"] = [used.get(g, [0.0] * 5)[d - 1] for g in g_codes]
    for b, (lo, hi) in enumerate(AGE_BANDS):
        expected[f"children_{lo}_{hi}"] = [bands.get(g, [0, 0, 0])[b] for g in g_codes]
    for col, exp in expected.items():
        got = pd.to_numeric(gemeenten[col].replace("", np.nan)).to_numpy(dtype=float)
        bad = np.flatnonzero(~(np.abs(got - np.asarray(exp, dtype=float)) <= 1e-6))
        for i in bad[:10]:
            problems.append(f"{g_codes[i]}: gemeenten.{col} {got[i]:g}, expected {exp[i]:g}")
    linked_children = sum(hh[h].children for h, g in gm_of.items() if g)
    band_total = int(sum(pd.to_numeric(gemeenten[f"children_{lo}_{hi}"]).sum() for lo, hi in AGE_BANDS))
    # generic files may have no child ages (absent from a raw frame, or listed absent by the loader)
    ages_known = "child_ages" in households.columns and "child_ages" not in households.attrs.get("absent", ())
    if ages_known and band_total != linked_children:
        problems.append(f"children in age bands {band_total}, children of linked households {linked_children}")
    problems += _generic_problems(gm_of, households, capacities, allowed_sets)
    if problems:
        raise AssertionError(f"{len(problems)} problem(s) in the proposal:\n" + "\n".join(problems[:60]))
    return gm_of


def _generic_problems(gm_of: dict[str, str], households: pd.DataFrame, capacities: pd.DataFrame | None,
                      allowed: pd.DataFrame | None) -> list[str]:
    """Named resource capacities and allowed sets (docs/inputs.md), from the input frames."""
    problems = []
    rows = {_text(r["household_id"]): r for r in households.to_dict("records")}
    for gm, resource, capacity in ([] if capacities is None else capacities.itertuples(index=False)):
        gm = _text(gm).upper()
        use = sum(1.0 if resource == "households" else _num(rows[h][resource]) for h, g in gm_of.items() if g == gm)
        if use > _num(capacity) + 1e-9:
            problems.append(f"{gm}: {resource} {use:g} used, capacity {_num(capacity):g}")
    sets: dict[str, set[str]] = {}
    for hid, gm in ([] if allowed is None else allowed.itertuples(index=False)):
        sets.setdefault(_text(hid), set()).add(_text(gm).upper())
    for hid, gm in gm_of.items():
        if gm and hid in sets and gm not in sets[hid]:
            problems.append(f"{hid}: linked to {gm}, outside its allowed set {sorted(sets[hid])}")
    return problems


def objective_from_tables(proposal: pd.DataFrame, gemeenten: pd.DataFrame, minimax_weight: float = 0.0) -> float:
    """Objective as documented (docs/model.md, "Explanations"): household terms (own, dwelling,
    unplaced) + gemeente quota and pressure terms + the minimax term. The dwelling points per
    gemeente in gemeenten.csv are information only (and must agree with the households)."""
    hh_cols = [f"term_{t}" for t in OWN_TERMS + ("size_fit", "sharing", "unplaced", "waiting")]
    total = float(sum(pd.to_numeric(proposal[c].replace("", np.nan)).fillna(0).sum() for c in hh_cols))
    for c in ("term_quota", "term_pressure"):
        total += float(pd.to_numeric(gemeenten[c]).sum())
    if minimax_weight > 0:
        total += minimax_weight * float(pd.to_numeric(gemeenten["relative_deviation"]).max())
    return total


def tables_rounding(proposal: pd.DataFrame, gemeenten: pd.DataFrame, minimax_weight: float = 0.0) -> float:
    """Tolerance for sums of table cells: report.py rounds every term cell to 6 decimals."""
    cells = len(proposal) * (len(OWN_TERMS) + 4) + 2 * len(gemeenten)
    return 5e-7 * (cells + minimax_weight) + 1e-9


def dwelling_terms_agree(proposal: pd.DataFrame, gemeenten: pd.DataFrame) -> list[str]:
    """Per gemeente, the dwelling terms of gemeenten.csv equal the sum over its households."""
    out = []
    p = proposal[proposal["status"] == "linked"]
    for t in ("size_fit", "sharing"):
        per_g = pd.to_numeric(p[f"term_{t}"]).groupby(p["gm_code"]).sum()
        g = pd.to_numeric(gemeenten.set_index("gm_code")[f"{t}_points_of_households"])
        diff = (g - per_g.reindex(g.index).fillna(0)).abs()
        bad = diff[diff > 1e-6]
        out += [f"{c}: {t}_points_of_households {g[c]} vs households {per_g.get(c, 0)}" for c in bad.index]
    return out


# ------------------------------------------------------------------------------------------
# Reference objective and brute force
# ------------------------------------------------------------------------------------------

@dataclass
class Instance:
    """Inputs of one koppeling run, read independently of the engine."""

    households: pd.DataFrame
    state: pd.DataFrame
    weights: dict[str, float]
    ties: str = "hard"
    medical: str = "hard"
    sharing: bool = True
    quota_min_scale: float = 1.0
    quota_form: str = "convex"
    band_ends: tuple[float, ...] = (0.1, 0.25, 0.5, 0.75)
    band_slopes: tuple[float, ...] = (1.0, 2.0, 4.0, 8.0, 16.0)
    school_age: tuple[int, int] = (4, 17)
    scores: pd.DataFrame | None = None  # household_id x amr_code: expected employed adults
    locks: pd.DataFrame | None = None
    previous: dict[str, str] | None = None
    as_of: date | None = None
    _cache: dict = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.hh = read_households(self.households)
        self.st = read_state(self.state)
        self.codes = sorted(self.st)
        self.fix, self.forbid = read_locks(self.locks)
        self.status = classify(self.hh)
        self.decide = [h for h in self.hh if self.status[h] == "decide"]
        if self.as_of is None:
            self.as_of = max(h.permit for h in self.hh.values())
        missing = [w for w in WEIGHT_NAMES if w not in self.weights]
        assert not missing, f"weights missing: {missing}"
        if self.weights["labour"] > 0:
            assert self.scores is not None, "labour weight > 0 needs scores"
        self.zones = gemeente_zones()

    # --- per household -----------------------------------------------------------------
    def months(self, hid: str) -> float:
        return max(0, (self.as_of - self.hh[hid].permit).days) / DAYS_PER_MONTH

    def unplaced_cost(self, hid: str) -> float:
        return self.weights["unplaced"] + self.weights["waiting"] * self.months(hid)

    def allowed(self, hid: str) -> set[str]:
        key = ("allowed", hid)
        if key not in self._cache:
            self._cache[key] = allowed_gemeenten(self.hh[hid], self.hh, self.codes, ties=self.ties,
                                                 medical=self.medical, fix=self.fix, forbid=self.forbid)
        return self._cache[key]

    def own_terms(self, hid: str, g: str) -> dict[str, float]:
        """Raw own terms of household hid linked to g (docs/model.md objective table)."""
        h = self.hh[hid]
        amr, coa = self.zones.loc[g, "amr_code"], self.zones.loc[g, "coa_region"]
        out = dict.fromkeys(OWN_TERMS, 0.0)
        if self.scores is not None:
            s = self.scores.loc[hid].astype(float)
            out["labour"] = round(float(s.max() - s[amr]), 4)
        leave = float(coa != self.zones.loc[h.coa_gm, "coa_region"])
        lo, hi = self.school_age
        out["continuity"] = leave
        out["continuity_per_school_child"] = leave * sum(lo <= a <= hi for a in h.child_ages)
        tie = 0.0
        if h.ties and self.ties == "soft" and g not in h.ties:
            tie += 1.0
        if h.medical and self.medical == "soft" and amr != h.medical:
            tie += 1.0
        ref = self.hh.get(h.referent) if h.referent else None
        if (ref is not None and ref.linked_gm) or hid in self.fix:
            tie = 0.0
        out["tie"] = tie
        prev = (self.previous or {}).get(hid, "")
        out["change"] = float(bool(prev) and g != prev)
        return out

    def own_cost(self, hid: str, g: str) -> float:
        key = ("own", hid, g)
        if key not in self._cache:
            t = self.own_terms(hid, g)
            self._cache[key] = sum(self.weights[k] * v for k, v in t.items())
        return self._cache[key]

    def candidates(self, hid: str) -> list[str]:
        """Allowed gemeenten where a dwelling that fits exists at all."""
        h = self.hh[hid]
        out = []
        for g in sorted(self.allowed(hid)):
            d = self.st[g].dwellings
            fits = any(d[k - 1] > 0 for k in CLASSES if k >= h.need)
            if h.need == 1 and self.sharing and d[SHARED_CLASS - 1] > 0:
                fits = True
            if fits:
                out.append(g)
        return out

    def groups(self) -> list[list[str]]:
        """Households that must share a gemeente (referent and its nareizigers in the batch)."""
        parent = {h: h for h in self.decide}
        for h in self.decide:
            r = self.hh[h].referent
            if r and r in parent:
                parent[h] = r
        out: dict[str, list[str]] = {}
        for h in self.decide:
            root = h
            while parent[root] != root:
                root = parent[root]
            out.setdefault(root, []).append(h)
        return list(out.values())

    # --- per gemeente ------------------------------------------------------------------
    def dwelling_cost(self, needs: tuple[int, ...], g: str) -> float:
        """Cheapest size_fit + sharing cost of housing these needs in g (inf if impossible)."""
        return _dwelling_cost(tuple(sorted(needs, reverse=True)), self.st[g].dwellings,
                              self.weights["size_fit"], self.weights["sharing"], self.sharing)

    def scale(self, g: str) -> float:
        return max(self.st[g].target, self.quota_min_scale)

    def quota(self, g: str, persons: float) -> tuple[float, float]:
        """Raw (quota, pressure) of gemeente g at ``persons``, as docs/model.md defines them:
        convex form sum over bands of slope x persons of the deviation inside the band (band k
        between band_ends[k-1] and band_ends[k] times the scale); linear form |dev| / scale."""
        s, sc = self.st[g], self.scale(g)
        over, under = max(persons - s.target, 0.0), max(s.target - persons, 0.0)
        pressure = 0.0 if math.isnan(s.pressure) else s.pressure
        if self.quota_form == "linear":
            return (over + under) / sc, pressure * over / sc

        def f(off: float) -> float:
            edges = [0.0, *(e * sc for e in self.band_ends), math.inf]
            return sum(c * max(0.0, min(off, hi) - lo) for c, lo, hi in zip(self.band_slopes, edges, edges[1:]))
        return f(over) + f(under), pressure * f(over)


@functools.lru_cache(maxsize=200_000)
def _dwelling_cost(needs: tuple[int, ...], offered: tuple[int, ...], ws: float, wsh: float, sharing: bool) -> float:
    """Enumerate: v pairs of singles sharing a class-2 dwelling, every other household one
    dwelling of a class >= its need."""
    best = math.inf
    n1 = needs.count(1)
    max_pairs = min(n1 // 2, offered[SHARED_CLASS - 1]) if sharing else 0
    for v in range(max_pairs + 1):
        cap = list(offered)
        cap[SHARED_CLASS - 1] -= v
        rest = tuple(k for k in needs if k != 1) + (1,) * (n1 - 2 * v)
        steps = _min_steps(rest, tuple(cap))
        if steps < math.inf:
            best = min(best, wsh * v + ws * steps)
    return best


@functools.lru_cache(maxsize=200_000)
def _min_steps(needs: tuple[int, ...], cap: tuple[int, ...]) -> float:
    if not needs:
        return 0.0
    k, rest = needs[0], needs[1:]
    best = math.inf
    for d in CLASSES:
        if d >= k and cap[d - 1] > 0:
            c = list(cap)
            c[d - 1] -= 1
            best = min(best, (d - k) + _min_steps(rest, tuple(c)))
    return best


def evaluate(inst: Instance, assign: dict[str, str]) -> tuple[float, dict[str, float]]:
    """Objective of an assignment (household -> gemeente, '' = unplaced) with the cheapest
    dwellings in every gemeente; (inf, {}) if it breaks a hard rule. Also returns the raw
    gemeente-level terms."""
    w = inst.weights
    total = 0.0
    needs: dict[str, list[int]] = {}
    persons: dict[str, int] = {}
    count: dict[str, int] = {}
    for hid in inst.decide:
        g = assign.get(hid, "")
        if not g:
            total += inst.unplaced_cost(hid)
            continue
        if g not in inst.allowed(hid):
            return math.inf, {}
        total += inst.own_cost(hid, g)
        h = inst.hh[hid]
        needs.setdefault(g, []).append(h.need)
        persons[g] = persons.get(g, 0) + h.persons
        count[g] = count.get(g, 0) + 1
    for grp in inst.groups():
        if len({assign.get(h, "") for h in grp}) > 1:
            return math.inf, {}
    raw = {"quota": 0.0, "pressure": 0.0, "minimax": 0.0, "dwellings": 0.0}
    for g, ks in needs.items():
        s = inst.st[g]
        if not math.isnan(s.cap_persons) and persons[g] > s.cap_persons + 1e-9:
            return math.inf, {}
        if not math.isnan(s.cap_households) and count[g] > s.cap_households + 1e-9:
            return math.inf, {}
        c = inst.dwelling_cost(tuple(ks), g)
        if c == math.inf:
            return math.inf, {}
        raw["dwellings"] += c
    # gemeenten receiving nobody: their whole target is missed (precomputed once)
    base = inst._cache.get("base")
    if base is None:
        rel0 = sorted(((inst.st[g].target / inst.scale(g), g) for g in inst.codes), reverse=True)
        base = inst._cache["base"] = (sum(inst.quota(g, 0)[0] for g in inst.codes), rel0)
    total_rel0, rel0 = base
    raw["quota"] = total_rel0
    worst = next((r for r, g in rel0 if g not in persons), 0.0)
    for g, p in persons.items():
        s = inst.st[g]
        quota, pressure = inst.quota(g, p)
        raw["quota"] += quota - inst.quota(g, 0)[0]
        raw["pressure"] += pressure
        worst = max(worst, abs(p - s.target) / inst.scale(g))
    raw["minimax"] = worst if w["minimax"] > 0 else 0.0
    total += raw["dwellings"] + w["quota"] * raw["quota"] + w["pressure"] * raw["pressure"]
    total += w["minimax"] * raw["minimax"]
    return total, raw


def brute_force(inst: Instance, limit: int = 200_000) -> tuple[float, dict[str, str]]:
    """Optimum over all assignments (every decision household: each candidate gemeente or unplaced)."""
    hids = inst.decide
    choices = [inst.candidates(h) + [""] for h in hids]
    n = math.prod(len(c) for c in choices)
    assert n <= limit, f"{n} assignments: instance too large for brute force"
    best, best_assign = math.inf, {}
    for combo in itertools.product(*choices):
        assign = dict(zip(hids, combo))
        obj, _ = evaluate(inst, assign)
        if obj < best - 1e-12:
            best, best_assign = obj, assign
    return best, best_assign


def check_alternatives(inst: Instance, proposal: pd.DataFrame, tol: float = 1e-6,
                       skip_linked_groups: bool = True, exact: bool = True) -> list[str]:
    """Every listed alternative is a one-household move whose objective change (``alt*_delta``)
    can really be had: the moved solution, re-evaluated here with the cheapest dwellings, costs
    at most the reported delta more (docs/model.md: "exact re-evaluation ... all other links
    fixed"). With ``exact`` (the default) the delta must equal the move's cost, re-evaluated here
    with the cheapest dwellings in every gemeente (at a proven optimum every other gemeente's
    dwellings are already cheapest, so that is the engine's definition: dwellings re-assigned
    in the two gemeenten involved). Households that must share a gemeente with another one can
    be skipped."""
    links = {h: (_text(g) if _text(st) == "linked" else "") for h, g, st in
             zip(proposal["household_id"], proposal["gm_code"], proposal["status"])}
    base, _ = evaluate(inst, links)
    grouped = {h for g in inst.groups() if len(g) > 1 for h in g} if skip_linked_groups else set()
    tol = tol + waiting_tolerance(inst)
    problems = []
    for r in proposal.to_dict("records"):
        hid = _text(r["household_id"])
        if hid not in inst.decide or hid in grouped:
            continue
        for k in (1, 2, 3):
            g = _text(r.get(f"alt{k}_gm_code", ""))
            if not g:
                continue
            delta = _num(r[f"alt{k}_delta"])
            moved, _ = evaluate(inst, {**links, hid: g})
            slack = tol * max(1.0, abs(base))
            if delta < moved - base - slack or (exact and delta > moved - base + slack):
                problems.append(f"{hid} -> {g}: reported delta {delta:g}, but the move costs {moved - base:g}")
    return problems


def waiting_tolerance(inst: Instance) -> float:
    """The engine stores months waited to 3 decimals: allow that rounding per household."""
    return inst.weights["waiting"] * 5e-4 * len(inst.decide) + 1e-6


# ------------------------------------------------------------------------------------------
# Builders for tiny test inputs
# ------------------------------------------------------------------------------------------

def household_row(hid: str, persons: int = 1, children: int = 0, child_ages: str = "", *,
                  permit: str = "2025-07-01", coa: str = "GM0014", **kw) -> dict[str, str]:
    """One households-file row with a neutral profile (docs/households.md columns)."""
    adults = persons - children
    if children and not child_ages:
        child_ages = ";".join(["8"] * children)
    row = dict(household_id=hid, persons=str(persons), adults=str(adults), children=str(children),
               adult_ages=";".join(["35"] * adults), child_ages=child_ages, size_class="",
               education=";".join(["secondary"] * adults), sector=";".join(["none"] * adults),
               dutch_level=";".join(["0"] * adults), english_level=";".join(["none"] * adults),
               tie_family_gm="", tie_work_gm="", tie_study_gm="", tie_medical_amr="", referent_id="",
               linked_gm="", has_bsn="true", has_iban="true", permit_date=permit, coa_location_gm=coa)
    row.update({k: str(v) for k, v in kw.items()})
    return row


def state_frame(live: dict[str, dict]) -> pd.DataFrame:
    """A state table of all 342 gemeenten: target 0 and no dwellings except the ``live`` ones
    (``{"GM0014": {"target": 2, "c1": 3, "pressure": 0.5, "cap_persons": 4}}``)."""
    rows = []
    for c in dataset.gemeente_codes():
        d = live.get(c, {})
        rows.append({"gm_code": c, "target": str(d.get("target", 0)),
                     **{f"dwellings_c{k}": str(d.get(f"c{k}", 0)) for k in CLASSES},
                     "housing_pressure": str(d.get("pressure", 0.0)),
                     "cap_persons": str(d.get("cap_persons", "")), "cap_households": str(d.get("cap_households", ""))})
    return pd.DataFrame(rows)


def weights(**w: float) -> dict[str, float]:
    """All weights 0 except the given ones."""
    unknown = set(w) - set(WEIGHT_NAMES)
    assert not unknown, unknown
    return {k: float(w.get(k, 0.0)) for k in WEIGHT_NAMES}


def variant_toml(path: Path, w: dict[str, float], **options) -> Path:
    """Write a koppeling variant file with these weights and options."""
    lines = ['kind = "koppeling"', f'name = "{path.stem}"', "", "[weights]"]
    lines += [f"{k} = {float(v)!r}" for k, v in w.items()]
    lines += ["", "[options]"]
    for k, v in options.items():
        if isinstance(v, bool):
            lines.append(f"{k} = {'true' if v else 'false'}")
        elif isinstance(v, str):
            lines.append(f'{k} = "{v}"')
        elif isinstance(v, (tuple, list)):
            lines.append(f"{k} = [{', '.join(str(x) for x in v)}]")
        else:
            lines.append(f"{k} = {v!r}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
