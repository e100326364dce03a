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
from optimizer.koppeling.scoring import employment_scores
from optimizer.koppeling.variant import Variant
from optimizer.rules.dwellings import DWELLING_COLUMNS

DAYS_PER_MONTH = 30.4375


@dataclass
class Context:
    """Everything needed to map a model solution back to households and explain it."""

    inputs: KoppelingInputs
    households: pd.DataFrame  # decision households (model order), index household_id
    excluded: pd.DataFrame  # household_id, reason (not linked, with why)
    context_rows: pd.DataFrame  # already-linked households (not decided)
    unit_households: list[list[int]]  # per unit: decision-household positions
    zones: pd.DataFrame  # zone index -> amr_code, coa_region
    gemeenten: pd.DataFrame  # dataset rows in model order
    scores: pd.DataFrame  # decision households x AMR: expected employed adults
    best_amr: pd.Series  # per decision household
    hh_size_type: np.ndarray  # per decision household
    notes: list[str] = field(default_factory=list)
    as_of: date | None = None
    fixed: dict[str, str] = field(default_factory=dict)  # household_id -> gm_code a lock fixes it to
    forbidden: dict[str, tuple[str, ...]] = field(default_factory=dict)  # household_id -> gm_codes locks forbid


def _school_children(child_ages: str, lo: int, hi: int) -> int:
    return sum(1 for a in split_list(child_ages) if lo <= int(a) <= hi)


def split_households(households: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(decision, excluded with reasons, context) households.

    Excluded: incomplete dossier (no BSN and/or IBAN); a nareiziger whose referent is excluded.
    """
    context = households[households["linked_gm"].ne("")]
    pending = households[households["linked_gm"].eq("")]
    missing = []
    for hid, bsn, iban in zip(pending.index, pending["has_bsn"], pending["has_iban"]):
        gaps = [name for name, ok in (("BSN", bsn), ("IBAN", iban)) if not ok]
        if gaps:
            missing.append((hid, f"incomplete dossier: no {' and no '.join(gaps)}; cannot be housed until complete"))
    excluded_ids = {h for h, _ in missing}
    for hid, ref in zip(pending.index, pending["referent_id"]):
        if ref and ref in excluded_ids and hid not in excluded_ids:
            missing.append((hid, f"nareiziger: referent {ref} cannot be linked now (incomplete dossier)"))
            excluded_ids.add(hid)
    excluded = pd.DataFrame(missing, columns=["household_id", "reason"])
    decision = pending[~pending.index.isin(excluded_ids)]
    return decision, excluded, context


def build_inputs(households: pd.DataFrame, state: pd.DataFrame, variant: Variant, *,
                 scores: pd.DataFrame | None = None, locks: pd.DataFrame | None = None,
                 previous: pd.Series | None = None, as_of: date | None = None) -> Context:
    """Build model inputs from validated households, gemeente state and variant.

    ``scores`` (optional) replaces the embedded employment score (households x AMR).
    ``locks``: household_id, gm_code, action (fix|forbid). ``previous``: household_id -> gm_code.
    ``as_of``: the batch date for waiting time (default: the latest permit date in the file).
    """
    weights = variant.weights.model_dump()
    opt = variant.options
    gem = dataset.load_gemeenten().loc[state.index]
    codes = list(state.index)
    g_index = {g: i for i, g in enumerate(codes)}
    G = len(codes)

    zone_keys = pd.MultiIndex.from_arrays([gem["amr_code"], gem["coa_region"]]).unique().sort_values()
    zones = pd.DataFrame({"amr_code": zone_keys.get_level_values(0), "coa_region": zone_keys.get_level_values(1)})
    zone_lookup = {(a, c): i for i, (a, c) in enumerate(zone_keys)}
    zone_of = np.array([zone_lookup[(a, c)] for a, c in zip(gem["amr_code"], gem["coa_region"])], dtype=int)
    zone_amr = zones["amr_code"].to_numpy()
    zone_coa = zones["coa_region"].to_numpy()
    g_amr = gem["amr_code"].to_numpy()

    decision, excluded, context_rows = split_households(households)
    n_hh = len(decision)
    if as_of is None:
        as_of = max(households["permit_date"]) if len(households) else date.today()

    # --- own costs per household and zone ---------------------------------------------------
    if scores is None:
        score = employment_scores(decision)
    else:
        score = scores.loc[decision.index]
    best = score.max(axis=1) if n_hh else pd.Series(dtype=float)
    best_amr = score.idxmax(axis=1) if n_hh else pd.Series(dtype=str)
    regret_by_amr = score.rsub(best, axis=0).round(4)  # >= 0
    regret_zone = regret_by_amr[zone_amr].to_numpy() if n_hh else np.zeros((0, len(zones)))
    current_coa = gem["coa_region"].reindex(decision["coa_location_gm"]).to_numpy() if n_hh else np.array([])
    lo, hi = opt.school_age
    school = np.array([_school_children(c, lo, hi) for c in decision["child_ages"]], dtype=float)
    leave_zone = (zone_coa[None, :] != current_coa[:, None]).astype(float) if n_hh else np.zeros((0, len(zones)))

    # --- size types -------------------------------------------------------------------------
    size_pairs = sorted(set(zip(decision["persons"].astype(int), decision["size_class"].astype(int))))
    size_index = {sp: i for i, sp in enumerate(size_pairs)}
    hh_size = np.array([size_index[(p, k)] for p, k in zip(decision["persons"], decision["size_class"])], dtype=int)

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
    opt_unit: list[int] = []
    opt_is_zone: list[bool] = []
    opt_target: list[int] = []
    opt_terms: dict[str, list[float]] = {t: [] for t in HOUSEHOLD_TERMS}
    unit_size: list[int] = []

    gemeente_options: set[tuple[int, int]] = set()  # (unit, gemeente) pairs with a gemeente option

    def add_option(u: int, is_zone: bool, target: int, terms: dict[str, float]) -> None:
        if not is_zone:
            gemeente_options.add((u, target))
        opt_unit.append(u)
        opt_is_zone.append(is_zone)
        opt_target.append(target)
        for t in HOUSEHOLD_TERMS:
            opt_terms[t].append(float(terms.get(t, 0.0)))

    def own_terms_zone(i: int, z: int) -> dict[str, float]:
        return {"labour": regret_zone[i, z], "continuity": leave_zone[i, z],
                "continuity_per_school_child": leave_zone[i, z] * school[i]}

    def own_terms_gemeente(i: int, g: int) -> dict[str, float]:
        return own_terms_zone(i, int(zone_of[g]))

    def allowed_and_tie(i: int, hid: str, row: pd.Series) -> tuple[np.ndarray, np.ndarray]:
        """Allowed gemeenten (bool per g) and raw tie cost per gemeente."""
        allowed = np.ones(G, dtype=bool)
        tie = np.zeros(G)
        ties = {g_index[row[c]] for c in ("tie_family_gm", "tie_work_gm", "tie_study_gm") if row[c]}
        if ties:
            tie_mask = np.zeros(G, dtype=bool)
            tie_mask[list(ties)] = True
            if opt.ties == "hard":
                allowed &= tie_mask
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
                    allowed = med_mask.copy()
            else:
                tie += (~med_mask).astype(float)
        if hid in family:  # the family already lives there: join it (ties do not count)
            allowed = np.zeros(G, dtype=bool)
            allowed[[g_index[gm] for gm in family[hid]]] = True
            tie[:] = 0.0
            if len(family[hid]) > 1:
                notes.append(f"{hid}: its family was linked to different gemeenten; any of them allowed")
        if hid in forbid:
            allowed[list(forbid[hid])] = False
        if hid in fix:
            allowed = np.zeros(G, dtype=bool)
            allowed[fix[hid]] = True
            tie[:] = 0.0
        return allowed, tie

    # individual households --------------------------------------------------------------
    individual_rows: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    for i, (hid, row) in enumerate(decision.iterrows()):
        has_tie = any(row[c] for c in ("tie_family_gm", "tie_work_gm", "tie_study_gm", "tie_medical_amr", "referent_id")) \
            or hid in family
        if has_tie or hid in fix or hid in forbid or hid in prev or hid in partners:
            individual_rows[i] = allowed_and_tie(i, hid, row)
    # referent pairs in the same batch share one allowed set
    for h, r in referent_in_batch.items():
        a1, t1 = individual_rows[pos[h]]
        a2, t2 = individual_rows[pos[r]]
        both = a1 & a2
        if not both.any():
            notes.append(f"{h}: no gemeente allowed for both nareiziger and referent {r}; both may stay unplaced")
        individual_rows[pos[h]] = (both, t1)
        individual_rows[pos[r]] = (both.copy(), t2)

    unit_of_hh = np.full(n_hh, -1, dtype=int)
    for i in sorted(individual_rows):
        hid = ids[i]
        allowed, tie = individual_rows[i]
        u = len(units_hh)
        units_hh.append([i])
        unit_size.append(int(hh_size[i]))
        unit_of_hh[i] = u
        p = prev.get(hid, -1)
        # Exact zone options where the whole zone is allowed, tie cost is equal within the zone
        # and no previous link falls inside it; gemeente options otherwise.
        for z in range(len(zones)):
            members = np.flatnonzero(zone_of == z)
            al = allowed[members]
            if not al.any():
                continue
            ties_z = tie[members]
            uniform = al.all() and np.all(ties_z == ties_z[0]) and (p < 0 or zone_of[p] != z)
            base = own_terms_zone(i, z)
            change = 1.0 if hid in prev else 0.0
            if uniform and hid not in fix and hid not in partners:
                add_option(u, True, z, {**base, "tie": float(ties_z[0]), "change": change})
            else:
                for g in members[al]:
                    add_option(u, False, int(g), {**base, "tie": float(tie[g]),
                                                  "change": 0.0 if (g == p or hid not in prev) else 1.0})
        if p >= 0 and allowed[p] and (u, p) not in gemeente_options:
            # make sure the previous gemeente exists as its own (change-free) option
            z = int(zone_of[p])
            add_option(u, False, p, {**own_terms_zone(i, z), "tie": float(tie[p]), "change": 0.0})

    # interchangeable households: group by size type and own-cost signature -----------------
    free = [i for i in range(n_hh) if unit_of_hh[i] < 0]
    groups: dict[bytes, int] = {}
    for i in free:
        key = (np.int64(hh_size[i]).tobytes() + regret_zone[i].round(4).tobytes()
               + leave_zone[i].tobytes() + np.float64(school[i]).tobytes())
        if key not in groups:
            u = len(units_hh)
            groups[key] = u
            units_hh.append([])
            unit_size.append(int(hh_size[i]))
            for z in range(len(zones)):
                add_option(u, True, z, {**own_terms_zone(i, z), "tie": 0.0, "change": 0.0})
        u = groups[key]
        units_hh[u].append(i)
        unit_of_hh[i] = u

    # links (nareiziger with referent in the same batch) ----------------------------------
    links = [(int(unit_of_hh[pos[h]]), int(unit_of_hh[pos[r]])) for h, r in sorted(referent_in_batch.items())]

    # unplaced costs -------------------------------------------------------------------------
    waited = np.array([max(0, (as_of - d).days) / DAYS_PER_MONTH for d in decision["permit_date"]])
    hh_terms = {"unplaced": np.ones(n_hh), "waiting": np.round(waited, 3)}

    dwell = state[list(DWELLING_COLUMNS)].to_numpy(dtype=int)
    target = state["target"].to_numpy(dtype=float)
    inputs = KoppelingInputs(
        gemeenten=codes,
        target=target,
        scale=np.maximum(target, opt.quota_min_scale),
        pressure=state["housing_pressure"].to_numpy(dtype=float),
        dwellings=dwell,
        cap_persons=pd.to_numeric(state["cap_persons"], errors="coerce").to_numpy(dtype=float),
        cap_households=pd.to_numeric(state["cap_households"], errors="coerce").to_numpy(dtype=float),
        zone_of=zone_of,
        size_persons=np.array([p for p, _ in size_pairs], dtype=int),
        size_class=np.array([k for _, k in size_pairs], dtype=int),
        unit_size=np.array(unit_size, dtype=int),
        unit_count=np.array([len(h) for h in units_hh], dtype=int),
        opt_unit=np.array(opt_unit, dtype=int),
        opt_is_zone=np.array(opt_is_zone, dtype=bool),
        opt_target=np.array(opt_target, dtype=int),
        opt_terms={t: np.array(v, dtype=float) for t, v in opt_terms.items()},
        hh_unit=unit_of_hh,
        hh_terms=hh_terms,
        links=links,
        weights=weights,
        sharing=opt.sharing,
        quota_form=opt.quota_form,
        band_ends=tuple(float(e) for e in opt.quota_band_ends),
        band_slopes=tuple(float(c) for c in opt.quota_band_slopes),
    )
    return Context(inputs=inputs, households=decision, excluded=excluded, context_rows=context_rows,
                   unit_households=units_hh, zones=zones, gemeenten=gem, scores=score, best_amr=best_amr,
                   hh_size_type=hh_size, notes=notes, as_of=as_of, fixed={h: codes[g] for h, g in fix.items()},
                   forbidden={h: tuple(sorted(codes[g] for g in gs)) for h, gs in forbid.items()})
