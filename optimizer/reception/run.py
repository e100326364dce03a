"""Reception places for one variant: prepare inputs -> build -> solve -> extract -> write.

Stages (each callable on its own):

1. :func:`prepare` — load / receive data, check the variant against it (gemeente codes,
   provincial feasibility), compute key shares, provincial totals and integer fair shares,
   resolve the bonus-malus rule into numbers -> :class:`Prepared` (holds
   :class:`models.reception.ReceptionInputs`).
2. :func:`solve` — build the Pyomo model (:func:`models.reception.build_model`) and solve it
   with HiGHS. A budget-neutral scheme is solved a few times: the bonus rate per place above
   the share (= malus pool / total surplus, bilinear in the model) is fixed for each solve and
   updated from the solution until it settles (see ``docs/reception.md``).
3. :func:`extract` — places per gemeente and province, payments re-computed with
   :mod:`optimizer.rules.bonus_malus` (the authoritative figures), verevening, objective terms.
4. :func:`write_outputs` — ``places.csv``, ``provinces.csv``, ``run.json`` (and
   ``taakstelling_adjusted.csv`` with verevening).

:func:`run` chains them into an output folder written atomically.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from models.reception import FinancingInputs, ReceptionInputs, SiteOption, build_model
from optimizer.core.errors import InputError, Violation
from optimizer.core.tables import atomic_output_dir, write_table
from optimizer.reception.extract_model import integral_split, term_values
from optimizer.reception.variant import ReceptionVariant, load_variant
from optimizer.rules import bonus_malus, keys
from optimizer.rules.bonus_malus import PaymentRule
from optimizer.solve.highs import SolveResult, SolverOptions, Status
from optimizer.solve.highs import solve as solve_model

#: Columns of the gemeenten frame the reception model needs.
GEMEENTE_COLUMNS: tuple[str, ...] = ("gm_naam", "provincie_code", "provincie", "population_2024",
                                     "income_per_inhabitant_keur", "ww_per_100_inhabitants",
                                     "bijstand_per_1000_inhabitants", "labour_participation_pct")


@dataclass
class Prepared:
    """Everything the model and the reports need for one variant."""

    variant: ReceptionVariant
    frame: pd.DataFrame  # per gemeente: names, province, population, income, existing, shares, limits
    provinces: pd.DataFrame  # per province: key total, existing, target
    rule: PaymentRule | None
    inputs: ReceptionInputs
    base_taakstelling: pd.Series | None = None
    taakstelling_source: str = ""
    sources: dict[str, str] = field(default_factory=dict)  # logical name -> sha256
    seconds: float = 0.0


@dataclass
class Solution:
    model: pyo.ConcreteModel
    result: SolveResult
    neutral_rates: list[float] = field(default_factory=list)  # EUR per place, per solve
    build_seconds: float = 0.0
    solves: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class ReceptionResult:
    """Outputs of one variant."""

    prepared: Prepared
    places: pd.DataFrame
    provinces: pd.DataFrame
    terms: dict[str, float]
    summary: dict[str, Any]
    record: dict[str, Any]


# ------------------------------------------------------------------------------------------
# Data
# ------------------------------------------------------------------------------------------

def _sha(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def load_provincial_totals(path: Path, column: str, provinces: pd.DataFrame) -> pd.Series:
    """Provincial totals from a table with ``provincie_code`` (or ``provincie``) and ``column``
    (:func:`optimizer.data.schemas.load_provincial_totals`).

    ``provinces`` maps provincie_code -> provincie (name). Every province exactly once, whole
    numbers >= 0; violations name file, row, column and value.
    """
    from optimizer.data import schemas

    return schemas.load_provincial_totals(path, column, provinces)


def _default_taakstelling(period: str, national: int | None, rounding: str,
                          population_path: Path | None = None) -> tuple[pd.Series, str]:
    """Base taakstelling for verevening: the statutory one (optimizer.rules.taakstelling) if present."""
    try:
        from optimizer.rules.taakstelling import statutory_taakstelling
    except ImportError:  # pragma: no cover - the module is part of the project
        statutory_taakstelling = None
    if statutory_taakstelling is not None:
        table = statutory_taakstelling(period, national=national, rounding=rounding, population_path=population_path)
        return table["taakstelling"].astype("int64"), f"optimizer.rules.taakstelling.statutory_taakstelling({period}, rounding={rounding})"
    from optimizer.data import dataset
    vg = national if national is not None else int(dataset.load_national_taakstelling()[period])
    pop = dataset.load_gemeenten()["population_2024"]
    return keys.largest_remainder(pop, vg).rename("taakstelling"), "population share, largest remainder (fallback)"


# ------------------------------------------------------------------------------------------
# 1. Prepare
# ------------------------------------------------------------------------------------------

def prepare(variant: ReceptionVariant, *, gemeenten: pd.DataFrame | None = None,
            existing: pd.Series | None = None, indicative: pd.Series | None = None,
            taakstelling: pd.Series | None = None, provincial_totals: pd.Series | None = None) -> Prepared:
    """Turn a validated variant and the data into model inputs.

    Data not passed in is loaded: gemeenten (:func:`optimizer.data.dataset.load_gemeenten`),
    existing places (``existing.file`` or the embedded modelled file), the Spreidingswet file
    when the key or ``existing.from_spreidingswet_file`` needs it, provincial totals from
    ``provinces.file``, and the base taakstelling for verevening. Raises :class:`InputError`
    for unknown gemeente codes and for provinces that cannot reach their total.
    """
    t0 = time.perf_counter()
    vfile = variant.source or "variant"
    sources: dict[str, str] = {}
    if gemeenten is None:
        from optimizer.data import dataset
        gemeenten = dataset.load_gemeenten()
        sources.update({f"data/{k}": v for k, v in dataset.dataset_hashes().items()})
    gem = gemeenten.sort_index()
    missing_cols = [c for c in ("provincie_code", "population_2024") if c not in gem.columns]
    if missing_cols:
        raise InputError(Violation("gemeenten", f"missing columns {missing_cols}"))
    if "provincie" not in gem.columns:
        gem = gem.assign(provincie=gem["provincie_code"])
    if "gm_naam" not in gem.columns:
        gem = gem.assign(gm_naam=gem.index)
    codes = list(gem.index)

    # gemeente codes named in the variant
    known = set(codes)
    bad = [Violation(vfile, "unknown gemeente code (not in the dataset's 2024/2025 division)",
                     column=f"gemeenten.{fld}", value=c)
           for fld in ("designated", "excluded") for c in getattr(variant.gemeenten, fld) if c not in known]
    if bad:
        raise InputError(bad)

    # Spreidingswet file (key component or existing places)
    sw = None
    need_sw = variant.key.uses_spreidingswet or variant.existing.from_spreidingswet_file
    if need_sw and (indicative is None or (variant.existing.from_spreidingswet_file and existing is None)):
        path = variant.resolve_path(variant.key.spreidingswet_file)
        if not path.exists():
            raise InputError(Violation(vfile, f"Spreidingswet file not found: {path} (it is not committed; see "
                                       "docs/reception.md for where to get it)", column="key.spreidingswet_file",
                                       value=variant.key.spreidingswet_file))
        from optimizer.data import dataset
        sw = dataset.load_spreidingswet(path)
        sources[f"spreidingswet:{path.name}"] = _sha(path)
        if indicative is None:
            indicative = sw["indicative_places"]
    if existing is None:
        if variant.existing.from_spreidingswet_file:
            existing = sw["capacity_total"]
        elif variant.existing.file:
            path = variant.resolve_path(variant.existing.file)
            from optimizer.data import dataset
            existing = dataset.load_reception(path)
            sources[f"reception:{path.name}"] = _sha(path)
        else:
            from optimizer.data import dataset
            existing = dataset.load_reception()
    existing = existing.reindex(gem.index).fillna(0).astype("int64")

    # key shares
    weights = variant.key.component_weights()
    try:
        share = keys.key_shares(gem, weights, existing=existing, indicative=indicative)
        statutory = keys.key_shares(gem, keys.PRESETS["population"])
    except ValueError as exc:
        raise InputError(Violation(vfile, str(exc), column="key")) from None

    # provinces
    prov_names = gem.groupby("provincie_code")["provincie"].first().sort_index()
    if provincial_totals is None and variant.provinces.totals == "file":
        path = variant.resolve_path(variant.provinces.file)
        provincial_totals = load_provincial_totals(path, variant.provinces.column, prov_names)
        sources[f"provinces:{path.name}"] = _sha(path)
    if provincial_totals is not None:
        provincial_totals = provincial_totals.reindex(prov_names.index).fillna(0).astype("int64")
        national = int(provincial_totals.sum())
        if "total_places" in variant.model_fields_set and national != variant.total_places:
            raise InputError(Violation(vfile, f"total_places ({variant.total_places}) differs from the sum of the "
                                       f"provincial totals ({national}); leave total_places out or make them agree",
                                       column="total_places", value=variant.total_places))
        totals_source = "file"
    else:
        national = int(variant.total_places)
        provincial_totals = keys.provincial_totals_from_key(share, gem["provincie_code"], national)
        totals_source = "key"
    fair = keys.fair_places(share, gem["provincie_code"], provincial_totals)

    # limits
    pop = gem["population_2024"].astype(float)
    if variant.gemeenten.max_places_per_1000 is not None:
        max_places = np.floor(variant.gemeenten.max_places_per_1000 * pop / 1000.0 + 1e-9)
        max_places = np.maximum(max_places, existing.astype(float))
    else:
        max_places = pd.Series(np.inf, index=gem.index)
    designated = gem.index.isin(variant.gemeenten.designated)
    excluded = gem.index.isin(variant.gemeenten.excluded)

    existing_prov = existing.groupby(gem["provincie_code"]).sum().reindex(prov_names.index).fillna(0).astype("int64")
    target = np.maximum(provincial_totals, existing_prov).astype("int64")
    provinces = pd.DataFrame({
        "provincie": prov_names,
        "n_gemeenten": gem.groupby("provincie_code").size().reindex(prov_names.index),
        "population": gem.groupby("provincie_code")["population_2024"].sum().reindex(prov_names.index),
        "province_total": provincial_totals,
        "existing": existing_prov,
        "target": target,
        "totals_source": totals_source,
    })
    provinces.index.name = "provincie_code"

    sites = [SiteOption(s.name, s.min_size, s.max_size, s.max_sites, s.durable, s.cost_per_site_eur,
                        s.cost_per_place_eur) for s in variant.sites]
    site_allowed = np.array([[pop_g >= s.min_population for s in variant.sites] for pop_g in pop], dtype=bool)

    rule = variant.rule()
    inputs = ReceptionInputs(
        gemeenten=codes,
        province=[str(p) for p in gem["provincie_code"]],
        share=fair.to_numpy(dtype=np.int64),
        existing=existing.to_numpy(dtype=np.int64),
        max_places=np.asarray(max_places, dtype=float),
        designated=np.asarray(designated, dtype=bool),
        excluded=np.asarray(excluded, dtype=bool),
        province_target={str(p): int(v) for p, v in target.items()},
        sites=sites,
        site_allowed=site_allowed,
        weights=variant.objective.weights(),
        shortfall_factor=variant.objective.shortfall_factor,
        surplus_factor=variant.objective.surplus_factor,
        min_scale=variant.objective.min_scale,
        band_ends=tuple(variant.objective.band_ends),
        band_slopes=tuple(variant.objective.band_slopes),
        financing=financing_inputs(rule, variant, fair, pop) if rule is not None else None,
    )
    _check_feasible(inputs, provinces, gem, vfile)

    frame = pd.DataFrame({
        "gm_naam": gem["gm_naam"].astype(str),
        "provincie_code": gem["provincie_code"].astype(str),
        "provincie": gem["provincie"].astype(str),
        "population": gem["population_2024"].astype("int64"),
        "income_per_inhabitant_keur": gem.get("income_per_inhabitant_keur", np.nan),
        "key_share": share,
        "statutory_share": statutory,
        "fair_share": fair,
        "existing": existing,
        "max_places": max_places,
        "designated": designated,
        "excluded": excluded,
    }, index=gem.index)

    base, tsource = None, ""
    if variant.verevening.enabled:
        if taakstelling is not None:
            base, tsource = taakstelling.reindex(gem.index).fillna(0).astype("int64"), "given"
        else:
            vv = variant.verevening
            pop_path = variant.resolve_path(vv.population_file) if vv.population_file else None
            if pop_path is not None:
                sources[f"population:{pop_path.name}"] = _sha(pop_path) if pop_path.exists() else "missing"
            base, tsource = _default_taakstelling(vv.period, vv.national, vv.rounding, pop_path)
            base = base.reindex(gem.index).fillna(0).astype("int64")
    return Prepared(variant=variant, frame=frame, provinces=provinces, rule=rule, inputs=inputs,
                    base_taakstelling=base, taakstelling_source=tsource, sources=sources,
                    seconds=time.perf_counter() - t0)


def financing_inputs(rule: PaymentRule, variant: ReceptionVariant, share: pd.Series, population: pd.Series,
                     neutral_rate: float | None = None) -> FinancingInputs:
    """Resolve a :class:`PaymentRule` into the model's numbers (tier widths per gemeente)."""
    scale = share.astype(float).to_numpy() if rule.tier_unit == "share" else np.ones(len(share))

    def widths(tiers) -> tuple[np.ndarray, np.ndarray]:
        if not tiers:
            return np.zeros((len(share), 0)), np.zeros(0)
        w = np.array([[wd for wd, _ in bonus_malus.tier_segments(tiers, sc)] for sc in scale], dtype=float)
        r = np.array([rt for _, rt in bonus_malus.tier_segments(tiers, 1.0)], dtype=float)
        return w, r

    sw, sr = widths(rule.surplus_tiers)
    mw, mr = widths(rule.shortfall_tiers)
    bonus_cap, malus_cap = bonus_malus.cap_amounts(rule, population)
    cat_rate = dict(rule.place_bonus)
    existing_cat = variant.financing.existing_category if variant.financing else "none"
    if rule.budget_neutral and neutral_rate is None:
        neutral_rate = float(rule.shortfall_tiers[0].rate) if rule.shortfall_tiers else 0.0
    return FinancingInputs(
        place_bonus_existing=float(cat_rate.get(existing_cat, 0.0)),
        place_bonus_site={s.name: float(cat_rate.get("durable" if s.durable else "temporary", 0.0))
                          for s in variant.sites},
        surplus_widths=sw, surplus_rates=sr, shortfall_widths=mw, shortfall_rates=mr,
        neutral_rate=neutral_rate if rule.budget_neutral else None,
        bonus_cap=bonus_cap.to_numpy(), malus_cap=malus_cap.to_numpy(),
    )


def _check_feasible(inp: ReceptionInputs, provinces: pd.DataFrame, gem: pd.DataFrame, vfile: str) -> None:
    """Provinces must be able to reach their target, designated gemeenten their share."""
    ub = inp.upper_places()
    prov = np.array(inp.province)
    violations = []
    for p, target in inp.province_target.items():
        reach = float(ub[prov == p].sum())
        if reach < target:
            violations.append(Violation(
                vfile, f"province {provinces.loc[p, 'provincie']} cannot reach its total of {target} places: its "
                f"gemeenten can hold at most {int(reach)} (site options, max_places_per_1000, excluded gemeenten)",
                column="provinces", value=p))
    for i in np.flatnonzero(inp.designated & (ub < inp.share)):
        violations.append(Violation(
            vfile, f"designated gemeente {gem['gm_naam'].iloc[i]} cannot reach its share of {int(inp.share[i])} places "
            f"(at most {int(ub[i])})", column="gemeenten.designated", value=inp.gemeenten[i]))
    if violations:
        raise InputError(violations)


# ------------------------------------------------------------------------------------------
# 2. Solve
# ------------------------------------------------------------------------------------------

def solver_options(variant: ReceptionVariant, **overrides: Any) -> SolverOptions:
    opts = SolverOptions(time_limit=variant.solver.time_limit, mip_rel_gap=variant.solver.mip_rel_gap,
                         threads=1, random_seed=0)
    for k, v in overrides.items():
        if v is not None:
            setattr(opts, k, v)
    return opts


def _places_by_category(prep: Prepared, model: pyo.ConcreteModel) -> pd.DataFrame:
    """Places per gemeente per place-bonus category (durable / temporary), existing included."""
    x = model.places_new
    fin = prep.variant.financing
    existing_cat = fin.existing_category if fin is not None else "none"
    cols = {"durable": np.zeros(prep.inputs.n), "temporary": np.zeros(prep.inputs.n), "none": np.zeros(prep.inputs.n)}
    cols[existing_cat] = cols[existing_cat] + prep.inputs.existing
    durable = {s.name: s.durable for s in prep.inputs.sites}
    idx = {g: i for i, g in enumerate(prep.inputs.gemeenten)}
    for (g, o) in x:
        cols["durable" if durable[o] else "temporary"][idx[g]] += round(float(x[g, o].value or 0.0))
    return pd.DataFrame(cols, index=pd.Index(prep.inputs.gemeenten, name="gm_code"))


def solve(prep: Prepared, options: SolverOptions | None = None) -> Solution:
    """Build and solve; for budget-neutral schemes iterate the bonus rate (see module doc).

    Raises :class:`InputError` when the model is infeasible or no solution is found.
    """
    options = options or solver_options(prep.variant)
    rule = prep.rule
    neutral = rule is not None and rule.budget_neutral
    iterations = prep.variant.financing.neutral_iterations if neutral else 1
    rates: list[float] = []
    solves = []
    build_total = 0.0
    inputs = prep.inputs
    model = result = None
    for it in range(iterations):
        if neutral:
            rates.append(float(inputs.financing.neutral_rate))
        t0 = time.perf_counter()
        model = build_model(inputs)
        build_total += time.perf_counter() - t0
        result = solve_model(model, options)
        split_changes = integral_split(model, inputs) if result.has_solution else 0
        solves.append({"iteration": it, "status": result.status.value, "objective": result.objective,
                       "integral_split_changes": split_changes,
                       "neutral_rate_eur": rates[-1] if neutral else None,
                       "compile_seconds": result.compile_seconds, "solve_seconds": result.solve_seconds})
        if not result.has_solution:
            break
        if not neutral:
            break
        table = bonus_malus.payments(_places_by_category(prep, model), prep.frame["fair_share"],
                                     prep.frame["population"], rule)
        new_rate = bonus_malus.neutral_bonus_rate(table)
        if abs(new_rate - rates[-1]) <= max(1.0, 0.005 * abs(rates[-1])) or it == iterations - 1:
            break
        fin = inputs.financing
        inputs = ReceptionInputs(**{**inputs.__dict__, "financing": FinancingInputs(**{**fin.__dict__,
                                                                                       "neutral_rate": new_rate})})
    if result is None or not result.has_solution:
        status = result.status.value if result is not None else "not solved"
        hint = " (time limit: raise solver.time_limit)" if result is not None and result.status == Status.NO_SOLUTION else ""
        raise InputError(Violation(prep.variant.source or "variant",
                                   f"the reception model has no solution: {status}{hint}; check provincial totals, "
                                   "site options and per-gemeente limits"))
    return Solution(model=model, result=result, neutral_rates=rates, build_seconds=build_total, solves=solves)


# ------------------------------------------------------------------------------------------
# 3. Extract
# ------------------------------------------------------------------------------------------

def adjust_taakstelling(base: pd.Series, places: pd.Series, share: pd.Series, factor: float,
                        floor_fraction: float = 0.0) -> pd.DataFrame:
    """Verevening: hosting above (below) the share lowers (raises) the housing taakstelling.

    ``raw_g = base_g - f (x_g - s_g) + f D base_g / B`` with ``D = sum (x - s)`` and
    ``B = sum base``: the national excess of places over the shares is handed back in
    proportion to the base, so ``sum raw = B``. Values below ``floor_fraction * base`` are
    raised to it and the difference is taken from the others in proportion to their room
    above their floor (one step suffices). Integers by largest remainder: the national sum
    stays exactly ``B``. Columns: taakstelling_base, verevening_delta, taakstelling_adjusted.
    """
    base = base.astype("int64")
    B = int(base.sum())
    x = places.reindex(base.index).astype(float)
    s = share.reindex(base.index).astype(float)
    d = x - s
    D = float(d.sum())
    weights = base / B if B > 0 else pd.Series(0.0, index=base.index)
    raw = base.astype(float) - factor * d + factor * D * weights
    floor = floor_fraction * base.astype(float)
    low = raw < floor
    if low.any():
        raw[low] = floor[low]
        gap = float(raw.sum()) - B  # > 0: taken from the others
        room = (raw - floor).where(~low, 0.0)
        if room.sum() > 0:
            raw = raw - gap * room / room.sum()
    raw = raw.clip(lower=0.0)
    adjusted = keys.largest_remainder(raw, B) if B > 0 else base * 0
    out = pd.DataFrame({"taakstelling_base": base, "verevening_delta": adjusted - base,
                        "taakstelling_adjusted": adjusted.astype("int64")}, index=base.index)
    assert int(out["taakstelling_adjusted"].sum()) == B
    return out


def extract(prep: Prepared, sol: Solution) -> ReceptionResult:
    """Tables and figures from the solved model; payments re-computed with bonus_malus."""
    m = sol.model
    inp = prep.inputs
    x, n = m.places_new, m.site_count
    frame = prep.frame.copy()
    idx = {g: i for i, g in enumerate(inp.gemeenten)}
    for s in inp.sites:
        frame[f"new_{s.name}"] = 0
        frame[f"sites_{s.name}"] = 0
    new_cols = {f"new_{s.name}": np.zeros(inp.n, dtype=np.int64) for s in inp.sites}
    site_cols = {f"sites_{s.name}": np.zeros(inp.n, dtype=np.int64) for s in inp.sites}
    for (g, o) in x:
        new_cols[f"new_{o}"][idx[g]] = int(round(x[g, o].value or 0.0))
        site_cols[f"sites_{o}"][idx[g]] = int(round(n[g, o].value or 0.0))
    for c, v in {**new_cols, **site_cols}.items():
        frame[c] = v
    frame["new_total"] = sum(new_cols.values())
    frame["places"] = frame["existing"] + frame["new_total"]
    frame["places_per_1000"] = 1000.0 * frame["places"] / frame["population"]
    frame["deviation"] = frame["places"] - frame["fair_share"]
    frame["deviation_rel"] = frame["deviation"] / np.maximum(frame["fair_share"], inp.min_scale)
    site_cost = sum(frame[f"sites_{s.name}"] * s.cost_per_site_eur + frame[f"new_{s.name}"] * s.cost_per_place_eur
                    for s in inp.sites)
    frame["site_cost_eur"] = site_cost

    if prep.rule is not None:
        table = bonus_malus.payments(_places_by_category(prep, m), frame["fair_share"], frame["population"], prep.rule)
        for c in ("surplus", "shortfall", "place_bonus_eur", "surplus_bonus_eur", "bonus_eur", "malus_eur", "payment_eur"):
            frame[c] = table[c]
        for c in ("surplus", "shortfall"):
            frame[c] = frame[c].round().astype("int64")
        frame["payment_model_eur"] = [float(pyo.value(m.component("payment")[g])) * 1000.0 for g in inp.gemeenten]
        pay = bonus_malus.summary(table)
        neutral_rate = bonus_malus.neutral_bonus_rate(table) if prep.rule.budget_neutral else None
    else:
        frame["surplus"] = frame["deviation"].clip(lower=0)
        frame["shortfall"] = (-frame["deviation"]).clip(lower=0)
        for c in ("place_bonus_eur", "surplus_bonus_eur", "bonus_eur", "malus_eur", "payment_eur"):
            frame[c] = 0
        frame["payment_model_eur"] = 0.0
        pay = bonus_malus.summary(frame.assign(bonus_eur=0, malus_eur=0, payment_eur=0))
        neutral_rate = None

    if prep.base_taakstelling is not None:
        vv = prep.variant.verevening
        adj = adjust_taakstelling(prep.base_taakstelling, frame["places"], frame["fair_share"], vv.factor,
                                  vv.floor_fraction)
        frame = frame.join(adj)

    grouped = frame.groupby("provincie_code")
    provinces = prep.provinces.copy()
    provinces["fair_share"] = grouped["fair_share"].sum()
    provinces["new_places"] = grouped["new_total"].sum()
    provinces["places"] = grouped["places"].sum()
    provinces["places_per_1000"] = 1000.0 * provinces["places"] / provinces["population"]
    for c in ("bonus_eur", "malus_eur", "payment_eur", "site_cost_eur"):
        provinces[c] = grouped[c].sum()
    for s in inp.sites:
        provinces[f"sites_{s.name}"] = grouped[f"sites_{s.name}"].sum()

    terms = term_values(m)
    weights = {t: float(inp.weights.get(t, 0.0)) for t in terms}
    summary = {
        "variant": prep.variant.name,
        "status": sol.result.status.value,
        "objective": sol.result.objective,
        "gap": sol.result.gap,
        "national_total": int(prep.provinces["province_total"].sum()),
        "total_places": int(frame["places"].sum()),
        "existing_places": int(frame["existing"].sum()),
        "new_places": int(frame["new_total"].sum()),
        "new_sites": {s.name: int(frame[f"sites_{s.name}"].sum()) for s in inp.sites},
        "site_cost_eur": float(site_cost.sum()),
        **pay,
        "neutral_bonus_rate_eur": neutral_rate,
        "neutral_rates_model_eur": sol.neutral_rates or None,
    }
    if prep.base_taakstelling is not None:
        summary["taakstelling_national"] = int(prep.base_taakstelling.sum())
        summary["taakstelling_adjusted_national"] = int(frame["taakstelling_adjusted"].sum())
    record = {
        "kind": "reception",
        "variant": {"name": prep.variant.name, "file": prep.variant.source, "sha256": prep.variant.sha256,
                    "description": prep.variant.description,
                    "settings": prep.variant.model_dump(mode="json")},
        "inputs": prep.sources,
        "taakstelling_source": prep.taakstelling_source or None,
        "solver": sol.result.record(),
        "solves": sol.solves,
        "objective_terms": {t: {"raw": terms[t], "weight": weights.get(t, 0.0), "weighted": weights.get(t, 0.0) * terms[t]}
                            for t in terms},
        "summary": summary,
        "timings": {"prepare_seconds": prep.seconds, "build_seconds": sol.build_seconds,
                    "compile_seconds": sum(s["compile_seconds"] for s in sol.solves),
                    "solve_seconds": sum(s["solve_seconds"] for s in sol.solves)},
        "sign_convention": "payment_eur > 0: the gemeente receives; < 0: it pays (EUR per year)",
    }
    return ReceptionResult(prepared=prep, places=frame, provinces=provinces, terms=terms, summary=summary, record=record)


# ------------------------------------------------------------------------------------------
# 4. Write
# ------------------------------------------------------------------------------------------

PLACES_COLUMNS_FIRST = ("gm_code", "gm_naam", "provincie_code", "provincie", "population", "key_share",
                        "statutory_share", "fair_share", "existing")


def write_outputs(res: ReceptionResult, out_dir: Path) -> list[Path]:
    """Write ``places.csv``, ``provinces.csv``, ``run.json`` into ``out_dir`` (which exists)."""
    out_dir = Path(out_dir)
    places = res.places.reset_index().rename(columns={"index": "gm_code"})
    first = [c for c in PLACES_COLUMNS_FIRST if c in places.columns]
    places = places[first + [c for c in places.columns if c not in first]]
    for c in ("key_share", "statutory_share"):
        places[c] = places[c].round(8)
    for c in ("places_per_1000", "deviation_rel"):
        places[c] = places[c].round(4)
    places["payment_model_eur"] = places["payment_model_eur"].round(2)
    places["max_places"] = places["max_places"].replace(np.inf, np.nan)
    written = [write_table(places, out_dir / "places.csv")]
    provinces = res.provinces.reset_index()
    provinces["places_per_1000"] = provinces["places_per_1000"].round(4)
    written.append(write_table(provinces, out_dir / "provinces.csv"))
    if "taakstelling_adjusted" in res.places.columns:
        t = res.places[["gm_naam", "taakstelling_base", "verevening_delta", "taakstelling_adjusted"]].reset_index()
        t.insert(1, "period", res.prepared.variant.verevening.period)
        written.append(write_table(t, out_dir / "taakstelling_adjusted.csv"))
    path = out_dir / "run.json"
    path.write_text(json.dumps(res.record, indent=2, default=_json_default) + "\n", encoding="utf-8")
    written.append(path)
    return written


def _json_default(obj: Any) -> Any:
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (np.floating,)):
        return None if not np.isfinite(obj) else float(obj)
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, Path):
        return str(obj)
    return str(obj)


def solve_variant(variant: ReceptionVariant, *, options: SolverOptions | None = None, **data: Any) -> ReceptionResult:
    """prepare -> solve -> extract, without writing."""
    prep = prepare(variant, **data)
    sol = solve(prep, options)
    return extract(prep, sol)


def run(variant_path: str | Path, out: str | Path, *, options: SolverOptions | None = None,
        variant: ReceptionVariant | None = None, **data: Any) -> ReceptionResult:
    """Solve one variant and write its outputs into ``out`` atomically (nothing on failure)."""
    variant = variant or load_variant(variant_path)
    t0 = time.perf_counter()
    res = solve_variant(variant, options=options, **data)
    with atomic_output_dir(out) as tmp:
        t1 = time.perf_counter()
        res.record["timings"]["total_seconds"] = t1 - t0
        write_outputs(res, tmp)
    return res
