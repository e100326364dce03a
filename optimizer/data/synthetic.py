"""Deterministic synthetic statushouder households for demos, tests and benchmarks.

Real household data is confidential, so this module draws a realistic stand-in. The file
format (one flat table, column by column) and every calibration constant with its source are
documented in ``docs/households.md``; the constants below carry a short pointer each.

Rules that hold for every generated frame:

- No nationality, ethnicity, religion or gender fields, nor proxies (names, country of birth,
  language of origin). Households carry IDs only (DOMAIN.md: the engine must not use them).
- Same ``(n, seed, as_of, gemeenten, reception)`` gives an identical frame: all randomness comes
  from one ``numpy.random.default_rng(seed)`` drawn in a fixed order, and gemeente codes are
  sorted before any draw so that input row order does not matter.
- ``n`` rows await a koppeling; after them comes one row per distinct referent that the
  nareizigers among the ``n`` point to. A referent row is a household linked earlier
  (``linked_gm`` set, ``referent_id`` empty).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping

import numpy as np
import pandas as pd

from optimizer.rules.dwellings import required_class

# --------------------------------------------------------------------------------------------
# Output format
# --------------------------------------------------------------------------------------------
COLUMNS: tuple[str, ...] = (
    "household_id", "persons", "adults", "children", "adult_ages", "child_ages", "size_class",
    "education", "sector", "dutch_level", "english_level",
    "tie_family_gm", "tie_work_gm", "tie_study_gm", "tie_medical_amr",
    "referent_id", "linked_gm", "has_bsn", "has_iban", "permit_date", "coa_location_gm",
)
INT_COLUMNS: tuple[str, ...] = ("persons", "adults", "children", "size_class")
LIST_SEP = ";"

EDUCATION_LEVELS: tuple[str, ...] = ("basic", "secondary", "vocational", "higher")
SECTORS: tuple[str, ...] = (
    "agriculture", "industry_energy", "trade_hospitality", "transport_ict",
    "finance_real_estate", "business_services", "public_education_health",
    "culture_recreation_other",
)
NO_SECTOR = "none"
DUTCH_LEVELS: tuple[str, ...] = ("0", "A1", "A2", "B1")
ENGLISH_LEVELS: tuple[str, ...] = ("none", "basic", "good")
ADULT_AGE_RANGE = (18, 70)
CHILD_AGE_RANGE = (0, 17)

# --------------------------------------------------------------------------------------------
# Calibration (docs/households.md, section "Calibration"; [A] = assumption)
# --------------------------------------------------------------------------------------------
#: Persons per household awaiting a koppeling; key 8 means "8 or more" [A]. Anchors: two-thirds of
#: statushouder households moving into corporation dwellings in 2023 were single (CBS 2023); ~85%
#: of statushouders waiting in COA are single (NOS 2024 from COA data). Mean ~2.0 persons, so
#: ~7,500-8,000 households are a national half-year of 15,000 persons.
SIZE_SHARES: Mapping[int, float] = {1: 0.65, 2: 0.10, 3: 0.07, 4: 0.07, 5: 0.05, 6: 0.03, 7: 0.02, 8: 0.01}
#: How the "8 or more" households split over 8, 9 and 10 persons [A].
LARGE_SIZES: tuple[int, ...] = (8, 9, 10)
LARGE_SIZE_SHARES: tuple[float, ...] = (0.60, 0.25, 0.15)
#: Share of 2-person households that are two adults (the rest: one adult with one child) [A].
TWO_PERSON_TWO_ADULTS = 0.50
#: Number of adults in households of 3+ persons: 1 (single parent), 2, 3 (adult child) [A].
LARGE_HH_ADULTS: tuple[int, ...] = (1, 2, 3)
LARGE_HH_ADULT_SHARES: tuple[float, ...] = (0.12, 0.80, 0.08)

#: Highest completed education per adult, before arrival [A].
EDUCATION_SHARES: tuple[float, ...] = (0.35, 0.30, 0.15, 0.20)
#: Adults younger than this cannot have completed ``higher`` education (drawn ``secondary``) [A].
MIN_AGE_HIGHER = 21

#: Share of adults without usable work experience; higher for adults under 21 [A].
SECTOR_NONE_SHARE = 0.45
SECTOR_NONE_SHARE_YOUNG = 0.75
#: Among adults with experience: weight of the national sector mix vs. the assumed profile [A].
SECTOR_NATIONAL_WEIGHT = 0.5
#: National mix of business establishments by KWB sector, 2021, establishment-weighted over all
#: 342 gemeenten (CBS Kerncijfers wijken en buurten 2021, table 85039NED, via
#: shared/data/raw/kwb2021_indicatoren_op_indeling2024.csv). Used when ``gemeenten`` has no
#: ``sector_*_pct`` columns; otherwise those are averaged, weighted by population.
NATIONAL_SECTOR_SHARES_KWB2021: Mapping[str, float] = {
    "agriculture": 3.70, "industry_energy": 13.76, "trade_hospitality": 17.30,
    "transport_ict": 7.45, "finance_real_estate": 8.01, "business_services": 22.76,
    "public_education_health": 15.81, "culture_recreation_other": 11.20,
}
#: Assumed work-experience profile of statushouders without higher education [A].
SECTOR_PROFILE: Mapping[str, float] = {
    "agriculture": 10, "industry_energy": 18, "trade_hospitality": 30, "transport_ict": 12,
    "finance_real_estate": 2, "business_services": 6, "public_education_health": 10,
    "culture_recreation_other": 12,
}
#: Assumed work-experience profile of statushouders with higher education [A].
SECTOR_PROFILE_HIGHER: Mapping[str, float] = {
    "agriculture": 3, "industry_energy": 12, "trade_hospitality": 12, "transport_ict": 15,
    "finance_real_estate": 8, "business_services": 15, "public_education_health": 28,
    "culture_recreation_other": 7,
}

#: Dutch level shortly after the permit: 0 / A1 / A2 / B1-or-higher [A].
DUTCH_SHARES: tuple[float, ...] = (0.55, 0.30, 0.12, 0.03)
#: English level by education: none / basic / good [A].
ENGLISH_SHARES_BY_EDUCATION: Mapping[str, tuple[float, float, float]] = {
    "basic": (0.70, 0.25, 0.05),
    "secondary": (0.40, 0.45, 0.15),
    "vocational": (0.40, 0.45, 0.15),
    "higher": (0.10, 0.40, 0.50),
}

#: Hard koppeling criteria (DOMAIN.md "The koppeling today"); shares of households [A].
TIE_FAMILY_SHARE = 0.10   # first-degree relative in a gemeente (drawn proportional to population)
TIE_WORK_SHARE = 0.03     # job offer in a gemeente (proportional to population)
TIE_STUDY_SHARE = 0.02    # study admission (gemeenten with a research university)
TIE_MEDICAL_SHARE = 0.02  # specific treatment in an arbeidsmarktregio
#: Of medical ties, the share in the AMR of a university medical centre; rest proportional
#: to population over all AMRs [A].
MEDICAL_UMC_SHARE = 0.75
#: Gemeenten with a research university (public fact; the 14 Dutch research universities,
#: the Open Universiteit excluded): Groningen, Enschede, Nijmegen, Wageningen, Utrecht,
#: Amsterdam, Delft, 's-Gravenhage (Leiden campus), Leiden, Rotterdam, Eindhoven, Tilburg,
#: Maastricht.
UNIVERSITY_GM: tuple[str, ...] = (
    "GM0014", "GM0153", "GM0268", "GM0289", "GM0344", "GM0363", "GM0503", "GM0518",
    "GM0546", "GM0599", "GM0772", "GM0855", "GM0935",
)
#: Gemeenten with a university medical centre (public fact: UMCG, Amsterdam UMC, LUMC,
#: Erasmus MC, UMC Utrecht, Radboudumc, Maastricht UMC+); their AMR is used.
UMC_GM: tuple[str, ...] = ("GM0014", "GM0268", "GM0344", "GM0363", "GM0546", "GM0599", "GM0935")

#: Share of awaiting households that are nareizigers of a referent linked earlier [A].
NAREIZIGER_SHARE = 0.06
#: Share of nareiziger households that join a referent already pointed to by an earlier
#: nareiziger household in the same file (family arriving in parts) [A].
SHARED_REFERENT_SHARE = 0.10

#: Share of households with an incomplete dossier, and how it splits: (no IBAN only, no BSN
#: only, neither) [A]. Gemeenten report such households are linked anyway (DOMAIN.md).
INCOMPLETE_DOSSIER_SHARE = 0.05
INCOMPLETE_SPLIT: tuple[float, float, float] = (0.55, 0.15, 0.30)

#: Permit date of awaiting households: ``as_of`` minus floor(Beta(a, b) * window) days, so within
#: the last ~6 months and skewed to recent (mean ~46 days) [A]. COA links within ~2 weeks of the
#: permit in principle (DOMAIN.md), the backlog makes it longer.
PERMIT_WINDOW_DAYS = 183
PERMIT_BETA: tuple[float, float] = (1.0, 3.0)
#: Referents got their permit 6-24 months before ``as_of`` (uniform) [A].
REFERENT_PERMIT_DAYS: tuple[int, int] = (183, 730)


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------
def generate_households(
    n: int,
    seed: int,
    *,
    as_of: datetime.date = datetime.date(2025, 9, 1),
    gemeenten: pd.DataFrame | None = None,
    reception: pd.Series | None = None,
) -> pd.DataFrame:
    """Draw ``n`` households awaiting a koppeling, plus their referents, as one flat table.

    ``gemeenten`` (indexed by gm_code, with ``population_2024`` and ``amr_code``, optionally
    ``sector_*_pct``) defaults to :func:`optimizer.data.dataset.load_gemeenten`; ``reception``
    (gm_code -> existing reception places) to :func:`optimizer.data.dataset.load_reception`.
    Returns the columns :data:`COLUMNS` in that order; see ``docs/households.md``.
    Deterministic in its arguments (one ``numpy.random.default_rng(seed)``).
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"n must be a non-negative integer, got {n!r}")
    n = int(n)
    if gemeenten is None or reception is None:
        from optimizer.data import dataset  # imported lazily: only needed for the defaults

        if gemeenten is None:
            gemeenten = dataset.load_gemeenten()
        if reception is None:
            reception = dataset.load_reception()
    ctx = _Context.build(gemeenten, reception)
    rng = np.random.default_rng(seed)

    # 1. composition and people of the n awaiting households
    persons, adults = _draw_composition(rng, n)
    people = _draw_people(rng, adults, persons - adults, ctx.national_sectors)

    # 2. hard ties
    tie_family = _maybe(rng, n, TIE_FAMILY_SHARE, ctx.gm_codes, ctx.pop_weights)
    tie_work = _maybe(rng, n, TIE_WORK_SHARE, ctx.gm_codes, ctx.pop_weights)
    tie_study = _maybe(rng, n, TIE_STUDY_SHARE, ctx.study_codes, ctx.study_weights)
    tie_medical = _draw_medical(rng, n, ctx)

    # 3. nareizigers and their referents
    ref_of = _draw_referents(rng, n)  # -1 or index of the referent (0..n_ref-1)
    n_ref = int(ref_of.max()) + 1 if (ref_of >= 0).any() else 0
    width = max(6, len(str(n + n_ref)))
    ids = np.array([f"H{i:0{width}d}" for i in range(1, n + n_ref + 1)], dtype=object)
    referent_id = np.full(n, "", dtype=object)
    is_nareiziger = ref_of >= 0
    referent_id[is_nareiziger] = ids[n + ref_of[is_nareiziger]]

    # 4. dossier completeness
    has_bsn, has_iban = _draw_dossier(rng, n)

    # 5. permit dates and COA location
    days = np.floor(rng.beta(*PERMIT_BETA, size=n) * PERMIT_WINDOW_DAYS).astype(np.int64)
    permit = _dates(as_of, days)
    coa = rng.choice(ctx.coa_codes, size=n, p=ctx.coa_weights) if n else np.array([], dtype=object)

    # 6. referent rows: single adults linked earlier (proportional to population, as the
    #    taakstelling is; Huisvestingswet art. 29)
    r_people = _draw_people(rng, np.ones(n_ref, dtype=np.int64), np.zeros(n_ref, dtype=np.int64),
                            ctx.national_sectors)
    r_linked = rng.choice(ctx.gm_codes, size=n_ref, p=ctx.pop_weights) if n_ref else np.array([], dtype=object)
    r_days = rng.integers(REFERENT_PERMIT_DAYS[0], REFERENT_PERMIT_DAYS[1] + 1, size=n_ref)
    r_coa = rng.choice(ctx.coa_codes, size=n_ref, p=ctx.coa_weights) if n_ref else np.array([], dtype=object)

    empty_n, empty_r = np.full(n, "", dtype=object), np.full(n_ref, "", dtype=object)
    true_r = np.full(n_ref, "true", dtype=object)
    main = {
        "household_id": ids[:n], "persons": persons, "adults": adults, "children": persons - adults,
        **people,
        "tie_family_gm": tie_family, "tie_work_gm": tie_work, "tie_study_gm": tie_study,
        "tie_medical_amr": tie_medical, "referent_id": referent_id, "linked_gm": empty_n,
        "has_bsn": has_bsn, "has_iban": has_iban, "permit_date": permit, "coa_location_gm": coa,
    }
    refs = {
        "household_id": ids[n:], "persons": np.ones(n_ref, dtype=np.int64),
        "adults": np.ones(n_ref, dtype=np.int64), "children": np.zeros(n_ref, dtype=np.int64),
        **r_people,
        "tie_family_gm": empty_r, "tie_work_gm": empty_r, "tie_study_gm": empty_r,
        "tie_medical_amr": empty_r, "referent_id": empty_r, "linked_gm": r_linked,
        "has_bsn": true_r, "has_iban": true_r, "permit_date": _dates(as_of, r_days),
        "coa_location_gm": r_coa,
    }
    out = {}
    for col in COLUMNS:
        if col == "size_class":
            continue
        out[col] = np.concatenate([np.asarray(main[col]), np.asarray(refs[col])])
        if col in INT_COLUMNS:
            out[col] = out[col].astype(np.int64)
        else:
            out[col] = out[col].astype(object)
    out["size_class"] = np.asarray(required_class(out["persons"]), dtype=np.int64).reshape(-1)
    frame = pd.DataFrame({col: out[col] for col in COLUMNS})
    for col in COLUMNS:
        if col not in INT_COLUMNS:
            frame[col] = frame[col].astype(str)
    return frame


def split_list(value: str) -> list[str]:
    """Split a ``;``-joined list cell; the empty string is the empty list."""
    return value.split(LIST_SEP) if value else []


def calibration_summary(households: pd.DataFrame) -> dict[str, float]:
    """Measured shares of a generated frame, over the awaiting rows (``linked_gm`` empty).

    Person-level shares (education, sector, Dutch) are over adults. Used in
    ``docs/households.md`` and the calibration tests.
    """
    h = households[households["linked_gm"] == ""]
    n = len(h)
    if n == 0:
        return {"households": 0.0}
    adults_edu = [x for cell in h["education"] for x in split_list(cell)]
    adults_sec = [x for cell in h["sector"] for x in split_list(cell)]
    adults_nl = [x for cell in h["dutch_level"] for x in split_list(cell)]
    adults_en = [x for cell in h["english_level"] for x in split_list(cell)]
    ages = np.array([int(x) for cell in h["adult_ages"] for x in split_list(cell)])
    child_ages = np.array([int(x) for cell in h["child_ages"] for x in split_list(cell)])
    n_adults = max(len(adults_edu), 1)
    summary: dict[str, float] = {
        "households": float(n),
        "referent_rows": float(len(households) - n),
        "persons": float(h["persons"].sum()),
        "mean_persons": float(h["persons"].mean()),
        "single_share": float((h["persons"] == 1).mean()),
        "share_7plus": float((h["persons"] >= 7).mean()),
        "single_parent_share": float(((h["adults"] == 1) & (h["children"] > 0)).mean()),
        "children_share_of_persons": float(h["children"].sum() / h["persons"].sum()),
        "adult_age_mean": float(ages.mean()) if ages.size else 0.0,
        "adult_age_18_45_share": float(((ages >= 18) & (ages <= 45)).mean()) if ages.size else 0.0,
        "child_age_mean": float(child_ages.mean()) if child_ages.size else 0.0,
        "tie_family_share": float((h["tie_family_gm"] != "").mean()),
        "tie_work_share": float((h["tie_work_gm"] != "").mean()),
        "tie_study_share": float((h["tie_study_gm"] != "").mean()),
        "tie_medical_share": float((h["tie_medical_amr"] != "").mean()),
        "nareiziger_share": float((h["referent_id"] != "").mean()),
        "incomplete_dossier_share": float(((h["has_bsn"] == "false") | (h["has_iban"] == "false")).mean()),
        "permit_days_mean": float(
            (pd.Timestamp(h["permit_date"].max()) - pd.to_datetime(h["permit_date"])).dt.days.mean()
        ),
    }
    for lvl in EDUCATION_LEVELS:
        summary[f"education_{lvl}"] = adults_edu.count(lvl) / n_adults
    for sec in (NO_SECTOR, *SECTORS):
        summary[f"sector_{sec}"] = adults_sec.count(sec) / n_adults
    for lvl in DUTCH_LEVELS:
        summary[f"dutch_{lvl}"] = adults_nl.count(lvl) / n_adults
    for lvl in ENGLISH_LEVELS:
        summary[f"english_{lvl}"] = adults_en.count(lvl) / n_adults
    return summary


# --------------------------------------------------------------------------------------------
# Internals
# --------------------------------------------------------------------------------------------
class _Context:
    """Sorted gemeente codes and the sampling weights derived from the input frames."""

    gm_codes: np.ndarray
    pop_weights: np.ndarray
    study_codes: np.ndarray
    study_weights: np.ndarray
    umc_amrs: np.ndarray
    amr_codes: np.ndarray
    amr_weights: np.ndarray
    coa_codes: np.ndarray
    coa_weights: np.ndarray
    national_sectors: np.ndarray

    @classmethod
    def build(cls, gemeenten: pd.DataFrame, reception: pd.Series) -> _Context:
        """Validate the inputs and derive the weights (rules in the constants above)."""
        for col in ("population_2024", "amr_code"):
            if col not in gemeenten.columns:
                raise ValueError(f"gemeenten lacks column {col!r} (indexed by gm_code)")
        g = gemeenten.copy()
        g.index = g.index.astype(str)
        g = g.sort_index()
        if g.index.has_duplicates or len(g) == 0:
            raise ValueError("gemeenten must have a non-empty, unique gm_code index")
        pop = pd.to_numeric(g["population_2024"], errors="raise").to_numpy(dtype=float)
        if (pop < 0).any() or pop.sum() <= 0:
            raise ValueError("gemeenten.population_2024 must be non-negative with a positive sum")
        ctx = cls()
        ctx.gm_codes = g.index.to_numpy(dtype=object)
        ctx.pop_weights = pop / pop.sum()

        uni = np.isin(ctx.gm_codes, UNIVERSITY_GM) & (pop > 0)
        ctx.study_codes = ctx.gm_codes[uni] if uni.any() else ctx.gm_codes
        w = pop[uni] if uni.any() else pop
        ctx.study_weights = w / w.sum()

        amr = g["amr_code"].astype(str)
        amr_pop = pd.Series(pop, index=g.index).groupby(amr.to_numpy()).sum().sort_index()
        ctx.amr_codes = amr_pop.index.to_numpy(dtype=object)
        ctx.amr_weights = amr_pop.to_numpy() / amr_pop.sum()
        ctx.umc_amrs = np.array(sorted({amr[c] for c in UMC_GM if c in amr.index}), dtype=object)

        rec = pd.to_numeric(pd.Series(reception), errors="raise").astype(float)
        rec.index = rec.index.astype(str)
        rec = rec[rec.index.isin(g.index) & (rec > 0)].sort_index()
        if rec.empty:
            raise ValueError("reception has no gemeente of `gemeenten` with places > 0")
        ctx.coa_codes = rec.index.to_numpy(dtype=object)
        ctx.coa_weights = rec.to_numpy() / rec.sum()

        ctx.national_sectors = _national_sector_shares(g, pop)
        return ctx


def _national_sector_shares(g: pd.DataFrame, pop: np.ndarray) -> np.ndarray:
    """Population-weighted mean of ``sector_<name>_pct`` columns, in :data:`SECTORS` order.

    A column matches a sector by its first word (``sector_public_edu_health_pct`` ->
    ``public_education_health``). Falls back to :data:`NATIONAL_SECTOR_SHARES_KWB2021` when any
    sector has no column or the values do not parse.
    """
    cols = [c for c in g.columns if str(c).startswith("sector_") and str(c).endswith("_pct")]
    by_first: dict[str, str] = {}
    for c in sorted(cols):
        first = str(c)[len("sector_"):].split("_")[0]
        by_first.setdefault(first, c)
    shares = []
    for sec in SECTORS:
        col = by_first.get(sec.split("_")[0])
        if col is None:
            shares = []
            break
        vals = pd.to_numeric(g[col], errors="coerce").to_numpy(dtype=float)
        ok = ~np.isnan(vals)
        if not ok.any() or pop[ok].sum() <= 0:
            shares = []
            break
        shares.append(float(np.average(vals[ok], weights=pop[ok])))
    arr = np.array(shares if shares else [NATIONAL_SECTOR_SHARES_KWB2021[s] for s in SECTORS])
    if (arr < 0).any() or arr.sum() <= 0:
        arr = np.array([NATIONAL_SECTOR_SHARES_KWB2021[s] for s in SECTORS])
    return arr / arr.sum()


def _normalised(values: Mapping[str, float] | tuple[float, ...], keys: tuple[str, ...] | None = None) -> np.ndarray:
    arr = np.array([values[k] for k in keys] if keys is not None else list(values), dtype=float)
    return arr / arr.sum()


def _draw_composition(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Persons and adults per household (:data:`SIZE_SHARES`, composition shares above)."""
    sizes = np.array(sorted(SIZE_SHARES), dtype=np.int64)
    persons = rng.choice(sizes, size=n, p=_normalised(tuple(SIZE_SHARES[s] for s in sizes)))
    large = rng.choice(np.array(LARGE_SIZES), size=n, p=_normalised(LARGE_SIZE_SHARES))
    persons = np.where(persons >= 8, large, persons).astype(np.int64)
    two_adults = rng.random(n) < TWO_PERSON_TWO_ADULTS
    big = rng.choice(np.array(LARGE_HH_ADULTS), size=n, p=_normalised(LARGE_HH_ADULT_SHARES))
    adults = np.where(persons == 1, 1,
                      np.where(persons == 2, np.where(two_adults, 2, 1), np.minimum(big, persons)))
    adults = adults.astype(np.int64)
    return persons, adults


def _draw_people(rng: np.random.Generator, adults: np.ndarray, children: np.ndarray,
                 national_sectors: np.ndarray) -> dict[str, np.ndarray]:
    """Ages, education, sector and languages per person, joined per household.

    Ages [A]: children uniform 0-17; the first adult is 20 + Gamma(2, 3.5) years older than the
    oldest child, or 18 + Gamma(2.2, 6) when single without children, 19 + Gamma(2, 5.5) for
    adults without children; a partner is the first adult's age + N(-1, 4); a third adult is an
    adult child of 18-25 (the first adult then at least 19 years older). All clipped to 18-70.
    """
    h = len(adults)
    n_children = int(children.sum())
    child_hh = np.repeat(np.arange(h), children)
    child_ages = rng.integers(CHILD_AGE_RANGE[0], CHILD_AGE_RANGE[1] + 1, size=n_children)
    oldest = np.full(h, -1, dtype=np.int64)
    np.maximum.at(oldest, child_hh, child_ages)

    g_single = 18 + rng.gamma(2.2, 6.0, size=h)
    g_couple = 19 + rng.gamma(2.0, 5.5, size=h)
    g_parent = oldest + 20 + rng.gamma(2.0, 3.5, size=h)
    third = 18 + rng.integers(0, 8, size=h)
    partner_delta = rng.normal(-1.0, 4.0, size=h)

    has_kids = children > 0
    first = np.where(has_kids, g_parent, np.where(adults == 1, g_single, g_couple))
    first = np.where(adults >= 3, np.maximum(first, third + 19), first)
    first = np.clip(np.floor(first), *ADULT_AGE_RANGE).astype(np.int64)
    partner_floor = np.maximum(np.where(has_kids, oldest + 16, 18), np.where(adults >= 3, third + 16, 18))
    partner = np.clip(np.rint(first + partner_delta), partner_floor, ADULT_AGE_RANGE[1]).astype(np.int64)
    partner = np.clip(partner, *ADULT_AGE_RANGE)
    third = np.clip(third, *ADULT_AGE_RANGE)

    # one entry per adult, households in order, slots 0 (first), 1 (partner), 2 (adult child)
    n_adults = int(adults.sum())
    adult_hh = np.repeat(np.arange(h), adults)
    starts = np.concatenate([[0], np.cumsum(adults)[:-1]]) if h else np.array([], dtype=np.int64)
    slot = np.arange(n_adults) - np.repeat(starts, adults)
    ages = np.choose(np.minimum(slot, 2), [first[adult_hh], partner[adult_hh], third[adult_hh]])

    edu_idx = rng.choice(len(EDUCATION_LEVELS), size=n_adults, p=_normalised(EDUCATION_SHARES))
    higher = EDUCATION_LEVELS.index("higher")
    edu_idx = np.where((edu_idx == higher) & (ages < MIN_AGE_HIGHER), EDUCATION_LEVELS.index("secondary"), edu_idx)
    education = np.array(EDUCATION_LEVELS, dtype=object)[edu_idx]

    p_none = np.where(ages < MIN_AGE_HIGHER, SECTOR_NONE_SHARE_YOUNG, SECTOR_NONE_SHARE)
    none = rng.random(n_adults) < p_none
    from_national = rng.random(n_adults) < SECTOR_NATIONAL_WEIGHT
    k = len(SECTORS)
    s_nat = rng.choice(k, size=n_adults, p=national_sectors)
    s_prof = rng.choice(k, size=n_adults, p=_normalised(SECTOR_PROFILE, SECTORS))
    s_high = rng.choice(k, size=n_adults, p=_normalised(SECTOR_PROFILE_HIGHER, SECTORS))
    s_idx = np.where(from_national, s_nat, np.where(edu_idx == higher, s_high, s_prof))
    sector = np.where(none, NO_SECTOR, np.array(SECTORS, dtype=object)[s_idx])

    dutch = np.array(DUTCH_LEVELS, dtype=object)[
        rng.choice(len(DUTCH_LEVELS), size=n_adults, p=_normalised(DUTCH_SHARES))]
    u = rng.random(n_adults)
    cum = np.array([np.cumsum(_normalised(ENGLISH_SHARES_BY_EDUCATION[e])) for e in EDUCATION_LEVELS])
    eng_idx = (u[:, None] >= cum[edu_idx][:, :-1]).sum(axis=1) if n_adults else np.array([], dtype=np.int64)
    english = np.array(ENGLISH_LEVELS, dtype=object)[eng_idx]

    # children sorted oldest first within a household, for readability
    order = np.lexsort((-child_ages, child_hh))
    return {
        "adult_ages": _join(ages, adults),
        "child_ages": _join(child_ages[order], children),
        "education": _join(education, adults),
        "sector": _join(sector, adults),
        "dutch_level": _join(dutch, adults),
        "english_level": _join(english, adults),
    }


def _join(values: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """``;``-join consecutive runs of ``values`` of lengths ``counts`` (one string per run)."""
    out = np.empty(len(counts), dtype=object)
    bounds = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    strs = [str(v) for v in values]
    for i in range(len(counts)):
        out[i] = LIST_SEP.join(strs[bounds[i]:bounds[i + 1]])
    return out


def _maybe(rng: np.random.Generator, n: int, share: float, codes: np.ndarray,
           weights: np.ndarray) -> np.ndarray:
    """With probability ``share`` a code drawn by ``weights``, else ``""`` (fixed draw count)."""
    hit = rng.random(n) < share
    drawn = rng.choice(codes, size=n, p=weights) if n else np.array([], dtype=object)
    return np.where(hit, drawn, "").astype(object)


def _draw_medical(rng: np.random.Generator, n: int, ctx: _Context) -> np.ndarray:
    """Medical tie: an AMR of a UMC (share :data:`MEDICAL_UMC_SHARE`) or any AMR by population."""
    hit = rng.random(n) < TIE_MEDICAL_SHARE
    umc = rng.random(n) < MEDICAL_UMC_SHARE
    any_amr = rng.choice(ctx.amr_codes, size=n, p=ctx.amr_weights) if n else np.array([], dtype=object)
    if len(ctx.umc_amrs):
        umc_amr = rng.choice(ctx.umc_amrs, size=n) if n else np.array([], dtype=object)
    else:
        umc_amr = any_amr
    return np.where(hit, np.where(umc, umc_amr, any_amr), "").astype(object)


def _draw_referents(rng: np.random.Generator, n: int) -> np.ndarray:
    """Referent index per household (-1 when not a nareiziger).

    A nareiziger (share :data:`NAREIZIGER_SHARE`) gets a new referent, or with share
    :data:`SHARED_REFERENT_SHARE` joins one already used in this file (uniformly chosen).
    """
    flag = rng.random(n) < NAREIZIGER_SHARE
    shared = rng.random(n) < SHARED_REFERENT_SHARE
    pick = rng.random(n)
    ref = np.full(n, -1, dtype=np.int64)
    count = 0
    for i in np.flatnonzero(flag):
        if shared[i] and count > 0:
            ref[i] = min(int(pick[i] * count), count - 1)
        else:
            ref[i] = count
            count += 1
    return ref


def _draw_dossier(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """``has_bsn``/``has_iban`` as "true"/"false" (:data:`INCOMPLETE_DOSSIER_SHARE`, split)."""
    incomplete = rng.random(n) < INCOMPLETE_DOSSIER_SHARE
    kind = rng.choice(3, size=n, p=_normalised(INCOMPLETE_SPLIT))  # 0 no IBAN, 1 no BSN, 2 neither
    no_iban = incomplete & ((kind == 0) | (kind == 2))
    no_bsn = incomplete & ((kind == 1) | (kind == 2))
    return (np.where(no_bsn, "false", "true").astype(object),
            np.where(no_iban, "false", "true").astype(object))


def _dates(as_of: datetime.date, days_before: np.ndarray) -> np.ndarray:
    """ISO dates ``as_of - days_before``."""
    return np.array([(as_of - datetime.timedelta(days=int(d))).isoformat() for d in days_before],
                    dtype=object)
