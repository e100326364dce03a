"""Validated frames -> koppeling model inputs (:class:`models.koppeling.KoppelingInputs`).

This is where households become *units* and *options* (see ``docs/model.md``):

1. Households with a ``linked_gm`` are context (e.g. referents already linked) and are not
   decided. Households with an incomplete dossier (no BSN or IBAN) are not linked and are
   reported, as are nareizigers whose referent cannot be linked now.
2. Every other household gets its own costs per *zone* (arbeidsmarktregio x COA region):
   labour regret (expected employed adults fewer than in its best region), leaving the COA
   region of its current location, and its school-age children doing so.
3. Ties, medical region, locks, a previous proposal and referents in the same batch make a
   household *individual*: it gets options per gemeente (or per zone where that is exact).
4. All other households with the same size type and the same own costs everywhere are
   interchangeable and are grouped into one unit with a count.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from models.koppeling import HOUSEHOLD_TERMS, KoppelingInputs
from optimizer.data import dataset
from optimizer.data.schemas import linked_family_gemeenten, split_list
from optimizer.koppeling.clauses import Clause, clause
from optimizer.koppeling.placement import Scores, capacity_matrix, open_pairs, resource_usage, score_matrix
from optimizer.koppeling.variant import Variant
from optimizer.rules.dwellings import DWELLING_COLUMNS

DAYS_PER_MONTH = 30.4375


@dataclass
class Context:
    """Everything needed to map a model solution back to households and explain it."""

    inputs: KoppelingInputs
    households: pd.DataFrame  # decision households (model order), index household_id
    excluded: pd.DataFrame  # household_id, reason (not linked, with why: clauses, optimizer.koppeling.clauses)
    context_rows: pd.DataFrame  # already-linked households (not decided)
    unit_households: list[list[int]]  # per unit: decision-household positions
    zones: pd.DataFrame  # zone index -> amr_code, coa_region
    gemeenten: pd.DataFrame  # dataset rows in model order
    scores: pd.DataFrame  # decision households x AMR (or x gemeente with gemeente scores); NaN = no score
    best_amr: pd.Series  # per decision household: the column (AMR or gemeente) of its best score
    hh_size_type: np.ndarray  # per decision household
    notes: list[str] = field(default_factory=list)
    as_of: date | None = None
    fixed: dict[str, str] = field(default_factory=dict)  # household_id -> gm_code a lock fixes it to
    forbidden: dict[str, tuple[str, ...]] = field(default_factory=dict)  # household_id -> gm_codes locks forbid
    score_column: np.ndarray | None = None  # per gemeente (model order): its column in ``scores``
    labour_mode: str = "regret"  # variant [objective] mode: "regret" or "maximise"
    tie_overridden: dict[str, Clause] = field(default_factory=dict)  # household_id -> what overrode its hard tie
    no_gemeente: dict[str, Clause] = field(default_factory=dict)  # household_id -> why no gemeente is allowed
    closed: dict[str, str] = field(default_factory=dict)  # household_id -> "dwelling"/"cap": its gemeenten closed
    # decision household (position) -> gemeenten its ties, locks and allowed set leave it (bool
    # per gemeente), before pairs where nothing fits it are pruned; absent = every gemeente
    rule_allowed: dict[int, np.ndarray] = field(default_factory=dict)


def _school_children(child_ages: str, lo: int, hi: int) -> int:
    return sum(1 for a in split_list(child_ages) if lo <= int(a) <= hi)


def split_households(households: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(decision, excluded with reasons (clauses), context) households.

    Excluded: incomplete dossier (no BSN and/or IBAN); a nareiziger whose referent is excluded.
    """
    context = households[households["linked_gm"].ne("")]
    pending = households[households["linked_gm"].eq("")]
    missing = []
    for hid, bsn, iban in zip(pending.index, pending["has_bsn"], pending["has_iban"]):
        gaps = [name for name, ok in (("BSN", bsn), ("IBAN", iban)) if not ok]
        if gaps:
            missing.append((hid, [clause("excluded"), clause("incomplete_dossier", missing=gaps)]))
    excluded_ids = {h for h, _ in missing}
    for hid, ref in zip(pending.index, pending["referent_id"]):
        if ref and ref in excluded_ids and hid not in excluded_ids:
            missing.append((hid, [clause("excluded"), clause("referent_excluded", referent_id=ref)]))
            excluded_ids.add(hid)
    excluded = pd.DataFrame(missing, columns=["household_id", "reason"])
    decision = pending[~pending.index.isin(excluded_ids)]
    return decision, excluded, context


class _Options:
    """The options of every unit, gathered in chunks (one per unit) and joined at the end: the
    unit, zone (True) or gemeente option, its zone or gemeente index and its raw own terms."""

    def __init__(self) -> None:
        self.chunks: list[tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, np.ndarray]]] = []

    def add(self, u: int, is_zone: np.ndarray, target: np.ndarray, terms: dict[str, np.ndarray]) -> None:
        self.chunks.append((np.full(len(target), u, dtype=int), is_zone, target, terms))

    def add_zones(self, u: int, regret: np.ndarray, leave: np.ndarray, school: float, zone_open: np.ndarray) -> None:
        """One option per zone with a gemeente open to the unit's size type, without tie or
        change (an interchangeable household)."""
        z = np.flatnonzero(zone_open)
        zero = np.zeros(len(z))
        self.add(u, np.ones(len(z), dtype=bool), z, {"labour": regret[z], "continuity": leave[z],
                                                     "continuity_per_school_child": leave[z] * school,
                                                     "tie": zero, "change": zero})

    def add_individual(self, u: int, allowed: np.ndarray, tie: np.ndarray, previous: int, has_previous: bool, *,
                       zone_exact: bool, regret: np.ndarray, leave: np.ndarray, school: float,
                       zone_of: np.ndarray, zone_order: np.ndarray, zone_starts: np.ndarray,
                       is_open: np.ndarray) -> None:
        """Options of an individual household, in zone order: one exact zone option where the
        whole zone is allowed, the tie cost is equal within it and the previous link (if any)
        is not inside it (and ``zone_exact``: not fixed, not a linked pair); gemeente options
        (ascending) in every other allowed zone. ``change`` is 1 away from the previous
        gemeente when there is a previous link. Only gemeenten open to the unit's size type
        (``is_open``) give options; a zone option needs one open gemeente in the zone."""
        al, ti = allowed[zone_order], tie[zone_order]
        any_z = np.logical_or.reduceat(al & is_open[zone_order], zone_starts)
        uniform = (np.logical_and.reduceat(al, zone_starts)
                   & (np.minimum.reduceat(ti, zone_starts) == np.maximum.reduceat(ti, zone_starts)) & zone_exact)
        if previous >= 0:
            uniform[zone_of[previous]] = False
        zones = np.flatnonzero(any_z & uniform)
        gems = np.flatnonzero(allowed & is_open & ~uniform[zone_of])
        row_zone = np.concatenate([zones, zone_of[gems]])
        target = np.concatenate([zones, gems])
        is_zone = np.arange(len(target)) < len(zones)
        order = np.lexsort((target, row_zone))  # by zone, then gemeente (a zone has one kind only)
        row_zone, target, is_zone = row_zone[order], target[order], is_zone[order]
        change = np.where(is_zone | (target != previous), 1.0, 0.0) if has_previous else np.zeros(len(target))
        self.add(u, is_zone, target, {"labour": regret[row_zone], "continuity": leave[row_zone],
                                      "continuity_per_school_child": leave[row_zone] * school,
                                      "tie": np.where(is_zone, ti[zone_starts[row_zone]], tie[target]),
                                      "change": change})

    def arrays(self) -> dict:
        """``opt_unit``, ``opt_is_zone``, ``opt_target`` and ``opt_terms`` of KoppelingInputs."""
        if not self.chunks:
            return {"opt_unit": np.zeros(0, dtype=int), "opt_is_zone": np.zeros(0, dtype=bool),
                    "opt_target": np.zeros(0, dtype=int), "opt_terms": {t: np.zeros(0) for t in HOUSEHOLD_TERMS}}
        return {"opt_unit": np.concatenate([c[0] for c in self.chunks]),
                "opt_is_zone": np.concatenate([c[1] for c in self.chunks]).astype(bool),
                "opt_target": np.concatenate([c[2] for c in self.chunks]).astype(int),
                "opt_terms": {t: np.concatenate([c[3][t] for c in self.chunks]).astype(float) for t in HOUSEHOLD_TERMS}}


def build_inputs(households: pd.DataFrame, state: pd.DataFrame, variant: Variant, *,
                 scores: pd.DataFrame | None = None, locks: pd.DataFrame | None = None,
                 previous: pd.Series | None = None, as_of: date | None = None,
                 allowed: pd.DataFrame | None = None, capacities: pd.DataFrame | None = None,
                 usage: pd.DataFrame | None = None) -> Context:
    """Build model inputs from validated households, gemeente state and variant.

    ``scores`` (optional) replaces the embedded employment score (households x AMR, or x
    gemeente: ``attrs["level"] == "gemeente"``, NaN = pair not allowed).
    ``allowed``: household_id, gm_code (a household with rows goes only there).
    ``capacities``: gm_code, resource, capacity; ``usage``: households x non-built-in resources.
    ``locks``: household_id, gm_code, action (fix|forbid). ``previous``: household_id -> gm_code.
    ``as_of``: the batch date for waiting time (default: the latest permit date in the file).
    """
    weights = variant.weights.model_dump()
    opt = variant.options
    gem = dataset.load_gemeenten().loc[state.index]
    codes = list(state.index)
    g_index = {g: i for i, g in enumerate(codes)}
    G = len(codes)

    decision, excluded, context_rows = split_households(households)
    n_hh = len(decision)
    if as_of is None:
        dates = [d for d in households["permit_date"] if d is not None]
        as_of = max(dates) if dates else None

    # --- scores, zones (the finest areas on which own costs can differ) -----------------------
    sc = score_matrix(decision, scores, gem)
    zone_of, zones = _zones(gem, sc)
    g_amr = gem["amr_code"].to_numpy()
    zone_coa = zones["coa_region"].to_numpy()
    first_member = np.array([int(np.flatnonzero(zone_of == z)[0]) for z in range(len(zones))], dtype=int)
    labour_zone, best_amr = _labour_by_zone(sc, first_member, variant.objective.mode, n_hh)
    current_coa = gem["coa_region"].reindex(decision["coa_location_gm"]).to_numpy() if n_hh else np.array([])
    lo, hi = opt.school_age
    school = np.array([_school_children(c, lo, hi) for c in decision["child_ages"]], dtype=float)
    leave_zone = (zone_coa[None, :] != current_coa[:, None]).astype(float) if n_hh else np.zeros((0, len(zones)))
    leave_zone[decision["coa_location_gm"].eq("").to_numpy()] = 0.0  # no COA location given: no continuity term

    # --- allowed sets (--allowed, gemeente scores) --------------------------------------------
    hh_allowed, scored = _allowed_sets(decision, allowed, sc, g_index)

    # --- size types: persons, dwelling class and the use of every named resource --------------
    resources, resource_cap = capacity_matrix(capacities, codes)
    use = resource_usage(decision, resources, usage)
    size_keys = [(int(p), int(k), *map(float, u)) for p, k, u in zip(decision["persons"], decision["size_class"], use)]
    size_pairs = sorted(set(size_keys))
    size_index = {sp: i for i, sp in enumerate(size_pairs)}
    hh_size = np.array([size_index[key] for key in size_keys], dtype=int)
    size_persons = np.array([key[0] for key in size_pairs], dtype=int)
    size_class = np.array([key[1] for key in size_pairs], dtype=int)
    size_usage = np.array([key[2:] for key in size_pairs], dtype=float).reshape(len(size_pairs), len(resources))
    dwell = state[list(DWELLING_COLUMNS)].to_numpy(dtype=int)
    cap_persons = pd.to_numeric(state["cap_persons"], errors="coerce").to_numpy(dtype=float)
    cap_households = pd.to_numeric(state["cap_households"], errors="coerce").to_numpy(dtype=float)
    is_open = open_pairs(size_persons, size_class, size_usage, dwell, cap_persons, cap_households, resource_cap)
    zone_members = [np.flatnonzero(zone_of == z) for z in range(len(zones))]
    zone_open = (np.stack([is_open[:, m].any(axis=1) for m in zone_members], axis=1) if zone_members
                 else np.zeros((len(size_pairs), 0), dtype=bool))  # (size types, zones): a gemeente open
    has_dwelling = np.cumsum(dwell[:, ::-1], axis=1)[:, ::-1] > 0  # (G, 5): a dwelling of class >= d

    def closed_reason(mask: np.ndarray, s: int) -> str | None:
        """Why every gemeente in ``mask`` is closed to size type s (:func:`open_pairs`): no
        dwelling of its class or larger there ("dwelling"), else a cap ("cap"); None if one is open."""
        if not mask.any() or (mask & is_open[s]).any():
            return None
        return "cap" if (mask & has_dwelling[:, size_class[s] - 1]).any() else "dwelling"

    # --- which households are individual ---------------------------------------------------
    ids = list(decision.index)
    pos = {h: i for i, h in enumerate(ids)}
    fix: dict[str, int] = {}
    forbid: dict[str, set[int]] = {}
    if locks is not None:
        for hid, gm, action in zip(locks["household_id"], locks["gm_code"], locks["action"]):
            if hid not in pos:
                continue
            if action == "fix":
                fix[hid] = g_index[gm]
            else:
                forbid.setdefault(hid, set()).add(g_index[gm])
    prev: dict[str, int] = {}
    notes: list[str] = []
    overridden: dict[str, Clause] = {}  # hard ties overridden (reasons say so)
    no_gemeente: dict[str, Clause] = {}  # households with no allowed gemeente, and why
    if previous is not None:
        gone = 0
        for hid, gm in previous.items():
            if hid in pos and gm:
                prev[hid] = g_index[gm]
            elif hid not in pos:
                gone += 1
        if gone:
            notes.append(f"{gone} household(s) of the previous proposal are not awaiting a koppeling in this batch "
                         "(already linked, excluded or not in the file); their previous links are not used")
    family = linked_family_gemeenten(households)
    referent_in_batch = {h: r for h, r in zip(decision.index, decision["referent_id"]) if r and r in pos}
    partners = set(referent_in_batch) | set(referent_in_batch.values())

    units_hh: list[list[int]] = []
    unit_size: list[int] = []
    options = _Options()
    zone_order = np.argsort(zone_of, kind="stable")
    zone_starts = np.searchsorted(zone_of[zone_order], np.arange(len(zones)))

    def allowed_and_tie(i: int, hid: str, row: dict) -> tuple[np.ndarray, np.ndarray]:
        """Allowed gemeenten (bool per g) and raw tie cost per gemeente."""
        allowed = np.ones(G, dtype=bool)
        tie = np.zeros(G)
        ties = {g_index[row[c]] for c in ("tie_family_gm", "tie_work_gm", "tie_study_gm") if row[c]}
        rules: list[Clause] = []  # the restrictions applied (for a household left with none)
        if ties:
            tie_mask = np.zeros(G, dtype=bool)
            tie_mask[list(ties)] = True
            if opt.ties == "hard":
                allowed &= tie_mask
                rules.append(clause("rule_hard_tie", gm_codes=sorted(codes[g] for g in ties)))
            else:
                tie += (~tie_mask).astype(float)
        med = row["tie_medical_amr"]
        if med:
            med_mask = g_amr == med
            if opt.medical == "hard":
                if (allowed & med_mask).any():
                    allowed &= med_mask
                else:
                    if ties:
                        notes.append(f"{hid}: tie gemeenten lie outside medical region {med}; medical region kept")
                        if opt.ties == "hard":
                            overridden[hid] = clause("hard_tie_overridden_medical", amr_code=med)
                            rules = []
                    allowed = med_mask.copy()
                rules.append(clause("rule_medical_region", amr_code=med))
            else:
                tie += (~med_mask).astype(float)
        if hid in family:  # the family already lives there: join it (ties do not count)
            allowed = np.zeros(G, dtype=bool)
            allowed[[g_index[gm] for gm in family[hid]]] = True
            tie[:] = 0.0
            rules = [clause("rule_family_linked", gm_codes=sorted(family[hid]))]
            if ties and opt.ties == "hard":
                overridden[hid] = clause("hard_tie_overridden_family", gm_codes=sorted(family[hid]))
            if len(family[hid]) > 1:
                notes.append(f"{hid}: its family was linked to different gemeenten; any of them allowed")
        if hid in forbid:
            allowed[list(forbid[hid])] = False
            rules.append(clause("rule_locks_forbid", gm_codes=sorted(codes[g] for g in forbid[hid])))
        if hh_allowed is not None:  # allowed sets and pairs without a gemeente score
            allowed &= hh_allowed[i]
            rules.append(clause("rule_allowed_set"))
        if hid in fix:  # a lock overrides an allowed set, not a missing score
            allowed = np.zeros(G, dtype=bool)
            allowed[fix[hid]] = True
            if scored is not None:
                allowed &= scored[i]
            tie[:] = 0.0
        if not allowed.any():
            no_gemeente[hid] = clause("no_gemeente_rules", rules=rules or [clause("rule_restrictions")])
        return allowed, tie

    # individual households --------------------------------------------------------------
    individual_rows: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    tie_columns = ["tie_family_gm", "tie_work_gm", "tie_study_gm", "tie_medical_amr", "referent_id"]
    rows = zip(*(decision[c].tolist() for c in tie_columns))  # plain values, not a Series per row (iterrows)
    for i, (hid, values) in enumerate(zip(decision.index, rows)):
        row = dict(zip(tie_columns, values))
        has_tie = any(values) or hid in family
        if has_tie or hid in fix or hid in forbid or hid in prev or hid in partners:
            individual_rows[i] = allowed_and_tie(i, hid, row)
    # referent pairs in the same batch share one allowed set
    for h, r in referent_in_batch.items():
        a1, t1 = individual_rows[pos[h]]
        a2, t2 = individual_rows[pos[r]]
        both = a1 & a2
        if not both.any():
            notes.append(f"{h}: no gemeente allowed for both nareiziger and referent {r}; both may stay unplaced")
            no_gemeente.setdefault(h, clause("no_common_gemeente_referent", referent_id=r))
            no_gemeente.setdefault(r, clause("no_common_gemeente_nareiziger", nareiziger_id=h))
        individual_rows[pos[h]] = (both, t1)
        individual_rows[pos[r]] = (both.copy(), t2)
    rule_allowed = {i: a for i, (a, _) in individual_rows.items()}

    unit_of_hh = np.full(n_hh, -1, dtype=int)
    closed: dict[str, str] = {}  # household_id -> why every gemeente allowed for it is closed to it
    for i in sorted(individual_rows):
        hid = ids[i]
        allowed, tie = individual_rows[i]
        u = len(units_hh)
        units_hh.append([i])
        unit_size.append(int(hh_size[i]))
        unit_of_hh[i] = u
        s = int(hh_size[i])
        if why := closed_reason(allowed, s):
            closed[hid] = why
        options.add_individual(u, allowed, tie, prev.get(hid, -1), hid in prev,
                               zone_exact=hid not in fix and hid not in partners, regret=labour_zone[i],
                               leave=leave_zone[i], school=school[i], zone_of=zone_of, zone_order=zone_order,
                               zone_starts=zone_starts, is_open=is_open[s])

    # interchangeable households: group by size type and own-cost signature -----------------
    free = [i for i in range(n_hh) if unit_of_hh[i] < 0]
    groups: dict[bytes, int] = {}
    for i in free:
        labour_key = labour_zone[i] if sc.exact else labour_zone[i].round(4)  # user scores: full precision
        key = (np.int64(hh_size[i]).tobytes() + labour_key.tobytes()
               + leave_zone[i].tobytes() + np.float64(school[i]).tobytes())
        mask = None if hh_allowed is None or hh_allowed[i].all() else hh_allowed[i]
        if mask is not None:
            rule_allowed[i] = mask
        if mask is not None:  # a unit only merges households with the same allowed set
            key += mask.tobytes()
        if key not in groups:
            u = len(units_hh)
            groups[key] = u
            units_hh.append([])
            unit_size.append(int(hh_size[i]))
            s = int(hh_size[i])
            if mask is None:
                options.add_zones(u, labour_zone[i], leave_zone[i], school[i], zone_open[s])
            else:  # zones wholly in its allowed set as zones, the rest gemeente by gemeente
                options.add_individual(u, mask, np.zeros(G), -1, False, zone_exact=True, regret=labour_zone[i],
                                       leave=leave_zone[i], school=school[i], zone_of=zone_of,
                                       zone_order=zone_order, zone_starts=zone_starts, is_open=is_open[s])
        u = groups[key]
        if why := closed_reason(np.ones(G, dtype=bool) if mask is None else mask, int(hh_size[i])):
            closed[ids[i]] = why
        units_hh[u].append(i)
        unit_of_hh[i] = u

    # links (nareiziger with referent in the same batch) ----------------------------------
    links = [(int(unit_of_hh[pos[h]]), int(unit_of_hh[pos[r]])) for h, r in sorted(referent_in_batch.items())]

    # unplaced costs -------------------------------------------------------------------------
    waited = np.array([max(0, (as_of - d).days) / DAYS_PER_MONTH if d is not None and as_of is not None else 0.0
                       for d in decision["permit_date"]])
    hh_terms = {"unplaced": np.ones(n_hh), "waiting": np.round(waited, 3)}

    target = state["target"].to_numpy(dtype=float)
    inputs = KoppelingInputs(
        gemeenten=codes,
        target=target,
        scale=np.maximum(target, opt.quota_min_scale),
        pressure=state["housing_pressure"].to_numpy(dtype=float),
        dwellings=dwell,
        cap_persons=cap_persons,
        cap_households=cap_households,
        zone_of=zone_of,
        size_persons=size_persons,
        size_class=size_class,
        unit_size=np.array(unit_size, dtype=int),
        unit_count=np.array([len(h) for h in units_hh], dtype=int),
        **options.arrays(),
        hh_unit=unit_of_hh,
        hh_terms=hh_terms,
        links=links,
        weights=weights,
        sharing=opt.sharing,
        resources=resources,
        size_usage=size_usage,
        resource_cap=resource_cap,
        open_pairs=is_open,
        quota_form=opt.quota_form,
        band_ends=tuple(float(e) for e in opt.quota_band_ends),
        band_slopes=tuple(float(c) for c in opt.quota_band_slopes),
    )
    return Context(inputs=inputs, households=decision, excluded=excluded, context_rows=context_rows,
                   unit_households=units_hh, zones=zones, gemeenten=gem, scores=sc.table, best_amr=best_amr,
                   hh_size_type=hh_size, notes=notes, as_of=as_of, fixed={h: codes[g] for h, g in fix.items()},
                   forbidden={h: tuple(sorted(codes[g] for g in gs)) for h, gs in forbid.items()},
                   score_column=sc.column_of, labour_mode=variant.objective.mode,
                   tie_overridden=overridden, no_gemeente=no_gemeente, closed=closed,
                   rule_allowed=rule_allowed)


def _zones(gem: pd.DataFrame, sc: Scores) -> tuple[np.ndarray, pd.DataFrame]:
    """Zone index per gemeente and the zones (amr_code, coa_region), sorted.

    A zone is the finest area on which a household's own costs can differ: arbeidsmarktregio x
    COA region, and with gemeente scores also the same score of every household (gemeenten
    with different scores are different zones)."""
    amr, coa = gem["amr_code"].to_numpy(), gem["coa_region"].to_numpy()
    if sc.level == "gemeente":
        values = sc.at_gemeenten()
        signature = [values[:, g].tobytes() for g in range(len(gem))]
    else:
        signature = [b""] * len(gem)
    first: dict[tuple, int] = {}
    for g, key in enumerate(zip(amr, coa, signature)):
        first.setdefault(key, g)
    keys = sorted(first, key=lambda k: (k[0], k[1], first[k]))
    lookup = {k: z for z, k in enumerate(keys)}
    zone_of = np.array([lookup[k] for k in zip(amr, coa, signature)], dtype=int)
    zones = pd.DataFrame({"amr_code": [k[0] for k in keys], "coa_region": [k[1] for k in keys]})
    return zone_of, zones


def _labour_by_zone(sc: Scores, first_member: np.ndarray, mode: str, n_hh: int) -> tuple[np.ndarray, pd.Series]:
    """Raw labour cost per household and zone, and where its best score is.

    ``regret``: best score minus the score in the zone (>= 0; the embedded score rounded to its
    4 decimals, a user's at full precision); ``maximise``: minus the score in the zone. NaN
    where a household has no score (gemeente scores: the pair is not allowed)."""
    best, label = sc.best()
    if not n_hh:
        return np.zeros((0, len(first_member))), label
    here = sc.at_gemeenten()[:, first_member]
    if mode == "maximise":
        return -here, label
    regret = best[:, None] - here
    return (regret if sc.exact else np.round(regret, 4)), label


def _allowed_sets(decision: pd.DataFrame, allowed: pd.DataFrame | None, sc: Scores,
                  g_index: dict[str, int]) -> tuple[np.ndarray | None, np.ndarray | None]:
    """(allowed, scored): per decision household and gemeente, whether it may go there (its
    allowed set, if it has one, and a score there) and whether it has a score there (gemeente
    scores only); ``None`` when nothing restricts."""
    scored = ~np.isnan(sc.at_gemeenten()) if sc.level == "gemeente" else None
    if allowed is None or allowed.empty:
        return scored, scored
    pos = {h: i for i, h in enumerate(decision.index)}
    rows = allowed[allowed["household_id"].isin(pos)]
    mask = np.ones((len(decision), len(g_index)), dtype=bool)
    listed = sorted({pos[h] for h in rows["household_id"]})
    mask[listed] = False
    mask[[pos[h] for h in rows["household_id"]], [g_index[g] for g in rows["gm_code"]]] = True
    return (mask & scored if scored is not None else mask), scored
