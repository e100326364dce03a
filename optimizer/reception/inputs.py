"""Reception stages ``load``, ``validate`` and ``inputs``: from a variant and its files to the
model's numbers.

* :func:`load` reads what the variant names and checks each file on its own: the gemeenten
  (embedded dataset unless given), the Spreidingswet file when the key or the existing places
  need it, the existing places, provincial totals from a file, and the base taakstelling for
  verevening. Every table comes back aligned to the gemeenten (or provinces), sorted by code.
* :func:`validate` checks the variant against the data: gemeente codes it names must exist,
  ``total_places`` must agree with provincial totals read from a file.
* :func:`inputs` computes key shares, provincial totals (from the key unless given), integer
  fair shares, per-gemeente limits, site options and the bonus-malus numbers
  (:class:`models.reception.ReceptionInputs`), and pre-checks that every province can reach its
  total and every designated gemeente its share, so an infeasible variant is reported with the
  reason instead of a solver status.

Every problem is an :class:`~optimizer.core.errors.InputError` naming the file, the field and
the value. Data given in memory (tests, ``compare``) replaces the file it stands for.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from models.reception import FinancingInputs, ReceptionInputs, SiteOption
from optimizer.core.errors import InputError, Violation
from optimizer.data import schemas
from optimizer.reception.variant import ReceptionVariant
from optimizer.rules import bonus_malus, keys
from optimizer.rules.bonus_malus import PaymentRule

#: Columns of the gemeenten without which nothing can be computed (the key's components need
#: theirs too: :mod:`optimizer.rules.keys`).
REQUIRED_GEMEENTE_COLUMNS: tuple[str, ...] = ("provincie_code", "population_2024")


@dataclass
class ReceptionData:
    """What the stage ``load`` read: tables aligned to the gemeenten / provinces (sorted by code)."""

    gemeenten: pd.DataFrame  # index gm_code; at least provincie_code, provincie, gm_naam, population_2024
    existing: pd.Series  # int places per gemeente
    indicative: pd.Series | None = None  # Spreidingswet indicative distribution, when needed
    provincial_totals: pd.Series | None = None  # int places per provincie_code, when given or read from a file
    base_taakstelling: pd.Series | None = None  # int persons per gemeente, with verevening
    taakstelling_source: str = ""
    files: dict[str, Path | None] = field(default_factory=dict)  # logical name -> file read (None: embedded/given)

    @property
    def province_names(self) -> pd.Series:
        """provincie_code -> provincie (name), sorted by code."""
        return self.gemeenten.groupby("provincie_code")["provincie"].first().sort_index()


@dataclass
class Prepared:
    """Everything the model and the reports need for one variant (stage ``inputs``)."""

    variant: ReceptionVariant
    frame: pd.DataFrame  # per gemeente: names, province, population, income, existing, shares, limits
    provinces: pd.DataFrame  # per province: key total, existing, target
    rule: PaymentRule | None
    inputs: ReceptionInputs
    base_taakstelling: pd.Series | None = None
    taakstelling_source: str = ""
    files: dict[str, Path | None] = field(default_factory=dict)  # logical name -> file read, for the run record
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage (load, validate, inputs)


def _source(variant: ReceptionVariant) -> str:
    return variant.source or "variant"


# ------------------------------------------------------------------------------------------
# load
# ------------------------------------------------------------------------------------------

def load_gemeenten(gemeenten: pd.DataFrame | None = None) -> pd.DataFrame:
    """The gemeenten sorted by code (embedded dataset unless given). ``provincie_code`` and
    ``population_2024`` are required; a missing ``provincie`` (name) is the code, a missing
    ``gm_naam`` the gm_code."""
    if gemeenten is None:
        from optimizer.data import dataset
        gemeenten = dataset.load_gemeenten()
    gem = gemeenten.sort_index()
    missing = [c for c in REQUIRED_GEMEENTE_COLUMNS if c not in gem.columns]
    if missing:
        raise InputError(Violation("gemeenten", f"missing columns {missing}"))
    if "provincie" not in gem.columns:
        gem = gem.assign(provincie=gem["provincie_code"])
    if "gm_naam" not in gem.columns:
        gem = gem.assign(gm_naam=gem.index)
    return gem


def load_spreidingswet(variant: ReceptionVariant) -> tuple[pd.DataFrame, Path]:
    """The Spreidingswet file ``key.spreidingswet_file`` (NOS format); InputError if absent."""
    path = variant.resolve_path(variant.key.spreidingswet_file)
    if not path.exists():
        raise InputError(Violation(_source(variant), f"Spreidingswet file not found: {path} (it is not committed; "
                                   "see docs/reception.md for where to get it)", column="key.spreidingswet_file",
                                   value=variant.key.spreidingswet_file))
    from optimizer.data import dataset
    return dataset.load_spreidingswet(path), path


def needs_spreidingswet(variant: ReceptionVariant, indicative: pd.Series | None,
                        existing: pd.Series | str | Path | None) -> bool:
    """The file is read when the key uses its indicative distribution (not given) or the
    existing places come from it (not given)."""
    from_file = variant.existing.from_spreidingswet_file
    needed = variant.key.uses_spreidingswet or from_file
    return needed and (indicative is None or (from_file and existing is None))


def load_existing(variant: ReceptionVariant, existing: pd.Series | str | Path | None,
                  spreidingswet: pd.DataFrame | None, index: pd.Index) -> tuple[pd.Series, Path | None]:
    """Existing places per gemeente (0 where absent): given (a Series or a file), else the
    Spreidingswet capacity (``existing.from_spreidingswet_file``), else ``existing.file``, else
    the embedded MODELLED file. Returns the places and the file read, if any."""
    from optimizer.data import dataset
    path = None
    if isinstance(existing, (str, Path)):
        path = Path(existing)
    elif existing is None and variant.existing.from_spreidingswet_file:
        existing = spreidingswet["capacity_total"]
    elif existing is None and variant.existing.file:
        path = variant.resolve_path(variant.existing.file)
    if path is not None or existing is None:
        existing = dataset.load_reception(path)
    return existing.reindex(index).fillna(0).astype("int64"), path


def load_totals(variant: ReceptionVariant, given: pd.Series | None,
                provinces: pd.Series) -> tuple[pd.Series | None, Path | None]:
    """Provincial totals: given, or read from ``provinces.file`` (``totals = "file"``), else
    ``None`` (the key decides them in :func:`inputs`). Returns the totals and the file read."""
    path = None
    if given is None and variant.provinces.totals == "file":
        path = variant.resolve_path(variant.provinces.file)
        given = schemas.load_provincial_totals(path, variant.provinces.column, provinces)
    if given is None:
        return None, None
    return given.reindex(provinces.index).fillna(0).astype("int64"), path


def load_taakstelling(variant: ReceptionVariant, given: pd.Series | None,
                      index: pd.Index) -> tuple[pd.Series | None, str, Path | None]:
    """Base taakstelling for verevening (``None`` without): given, else the statutory one of
    ``verevening.period`` (:func:`optimizer.rules.taakstelling.statutory_taakstelling`, on the
    reference population of ``population_file`` when named). Returns the base, where it came
    from and the population file read."""
    if not variant.verevening.enabled:
        return None, "", None
    if given is not None:
        return given.reindex(index).fillna(0).astype("int64"), "given", None
    from optimizer.rules.taakstelling import statutory_taakstelling
    vv = variant.verevening
    path = variant.resolve_path(vv.population_file) if vv.population_file else None
    table = statutory_taakstelling(vv.period, national=vv.national, rounding=vv.rounding, population_path=path)
    base = table["taakstelling"].astype("int64").reindex(index).fillna(0).astype("int64")
    return base, f"optimizer.rules.taakstelling.statutory_taakstelling({vv.period}, rounding={vv.rounding})", path


def load(variant: ReceptionVariant, *, gemeenten: pd.DataFrame | None = None,
         existing: pd.Series | str | Path | None = None, indicative: pd.Series | None = None,
         taakstelling: pd.Series | None = None, provincial_totals: pd.Series | None = None) -> ReceptionData:
    """Stage ``load``: read every file the variant needs (data given here replaces its file)."""
    gem = load_gemeenten(gemeenten)
    files: dict[str, Path | None] = {"gemeenten": None}
    sw = None
    if needs_spreidingswet(variant, indicative, existing):
        sw, files["spreidingswet"] = load_spreidingswet(variant)
        if indicative is None:
            indicative = sw["indicative_places"]
    existing, files["existing"] = load_existing(variant, existing, sw, gem.index)
    data = ReceptionData(gemeenten=gem, existing=existing, indicative=indicative, files=files)
    data.provincial_totals, path = load_totals(variant, provincial_totals, data.province_names)
    if path is not None:
        files["provinces"] = path
    data.base_taakstelling, data.taakstelling_source, path = load_taakstelling(variant, taakstelling, gem.index)
    if path is not None:
        files["population"] = path
    return data


# ------------------------------------------------------------------------------------------
# validate
# ------------------------------------------------------------------------------------------

def check_gemeente_codes(variant: ReceptionVariant, codes: pd.Index) -> list[Violation]:
    """Every gemeente the variant designates or excludes must be in the data."""
    known = set(codes)
    return [Violation(_source(variant), "unknown gemeente code (not in the dataset's 2024/2025 division)",
                      column=f"gemeenten.{fld}", value=c)
            for fld in ("designated", "excluded") for c in getattr(variant.gemeenten, fld) if c not in known]


def check_national_total(variant: ReceptionVariant, totals: pd.Series | None) -> list[Violation]:
    """A ``total_places`` written in the variant must equal the sum of given provincial totals."""
    if totals is None or "total_places" not in variant.model_fields_set:
        return []
    national = int(totals.sum())
    if national == variant.total_places:
        return []
    return [Violation(_source(variant), f"total_places ({variant.total_places}) differs from the sum of the "
                      f"provincial totals ({national}); leave total_places out or make them agree",
                      column="total_places", value=variant.total_places)]


def validate(variant: ReceptionVariant, data: ReceptionData) -> ReceptionData:
    """Stage ``validate``: the variant against the data; one InputError listing every problem."""
    bad = check_gemeente_codes(variant, data.gemeenten.index) + check_national_total(variant, data.provincial_totals)
    if bad:
        raise InputError(bad)
    return data


# ------------------------------------------------------------------------------------------
# inputs
# ------------------------------------------------------------------------------------------

def key_shares(variant: ReceptionVariant, data: ReceptionData) -> tuple[pd.Series, pd.Series]:
    """Shares of the variant's key and of the statutory (population) key, summing to 1."""
    gem = data.gemeenten
    try:
        share = keys.key_shares(gem, variant.key.component_weights(), existing=data.existing,
                                indicative=data.indicative)
        statutory = keys.key_shares(gem, keys.PRESETS["population"])
    except ValueError as exc:
        raise InputError(Violation(_source(variant), str(exc), column="key")) from None
    return share, statutory


def provincial_totals(variant: ReceptionVariant, data: ReceptionData, share: pd.Series) -> tuple[pd.Series, str]:
    """Places per province and where they came from: ``file`` (given or read), or ``key``:
    ``total_places`` split over the provinces by the key (largest remainder)."""
    if data.provincial_totals is not None:
        return data.provincial_totals, "file"
    gem = data.gemeenten
    return keys.provincial_totals_from_key(share, gem["provincie_code"], int(variant.total_places)), "key"


def max_places(variant: ReceptionVariant, population: pd.Series, existing: pd.Series) -> pd.Series:
    """Most places per gemeente: ``floor(max_places_per_1000 * population / 1000)``, never below
    the existing places; unlimited (inf) without ``max_places_per_1000``."""
    per_1000 = variant.gemeenten.max_places_per_1000
    if per_1000 is None:
        return pd.Series(np.inf, index=population.index)
    cap = np.floor(per_1000 * population.astype(float) / 1000.0 + 1e-9)
    return np.maximum(cap, existing.astype(float))


def provinces_table(gem: pd.DataFrame, names: pd.Series, existing: pd.Series, totals: pd.Series,
                    source: str) -> pd.DataFrame:
    """Per province: gemeenten, population, total, existing places and the target the model
    must meet exactly: the total, or the existing places when they already exceed it."""
    by_prov = gem.groupby("provincie_code")
    existing_prov = existing.groupby(gem["provincie_code"]).sum().reindex(names.index).fillna(0).astype("int64")
    provinces = pd.DataFrame({
        "provincie": names,
        "n_gemeenten": by_prov.size().reindex(names.index),
        "population": by_prov["population_2024"].sum().reindex(names.index),
        "province_total": totals,
        "existing": existing_prov,
        "target": np.maximum(totals, existing_prov).astype("int64"),
        "totals_source": source,
    })
    provinces.index.name = "provincie_code"
    return provinces


def site_options(variant: ReceptionVariant, population: pd.Series) -> tuple[list[SiteOption], np.ndarray]:
    """The variant's site options and which gemeente may host which (``min_population``)."""
    sites = [SiteOption(s.name, s.min_size, s.max_size, s.max_sites, s.durable, s.cost_per_site_eur,
                        s.cost_per_place_eur) for s in variant.sites]
    allowed = np.array([[p >= s.min_population for s in variant.sites] for p in population.astype(float)],
                       dtype=bool)
    return sites, allowed


def financing_inputs(rule: PaymentRule, variant: ReceptionVariant, share: pd.Series, population: pd.Series,
                     neutral_rate: float | None = None) -> FinancingInputs:
    """Resolve a :class:`PaymentRule` into the model's numbers: tier widths per gemeente (in
    places, or scaled by the share with ``tier_unit = "share"``), rates, caps in EUR, place-bonus
    rates per site option by category. A budget-neutral scheme starts from the first malus rate."""
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


def check_feasible(inp: ReceptionInputs, names: pd.Series, gm_names: pd.Series, source: str) -> None:
    """Every province must be able to reach its target and every designated gemeente its share
    with the places its gemeenten can hold (site options, limits, exclusions)."""
    ub = inp.upper_places()
    prov = np.array(inp.province)
    violations = []
    for p, target in inp.province_target.items():
        reach = float(ub[prov == p].sum())
        if reach < target:
            violations.append(Violation(
                source, f"province {names[p]} cannot reach its total of {target} places: its "
                f"gemeenten can hold at most {int(reach)} (site options, max_places_per_1000, excluded gemeenten)",
                column="provinces", value=p))
    for i in np.flatnonzero(inp.designated & (ub < inp.share)):
        violations.append(Violation(
            source, f"designated gemeente {gm_names.iloc[i]} cannot reach its share of {int(inp.share[i])} places "
            f"(at most {int(ub[i])})", column="gemeenten.designated", value=inp.gemeenten[i]))
    if violations:
        raise InputError(violations)


def model_inputs(variant: ReceptionVariant, gem: pd.DataFrame, fair: pd.Series, existing: pd.Series,
                 limit: pd.Series, target: pd.Series, rule: PaymentRule | None) -> ReceptionInputs:
    """The arrays of :class:`ReceptionInputs`, in gm_code order."""
    sites, allowed = site_options(variant, gem["population_2024"])
    obj = variant.objective
    pop = gem["population_2024"].astype(float)
    return ReceptionInputs(
        gemeenten=list(gem.index),
        province=[str(p) for p in gem["provincie_code"]],
        share=fair.to_numpy(dtype=np.int64),
        existing=existing.to_numpy(dtype=np.int64),
        max_places=np.asarray(limit, dtype=float),
        designated=np.asarray(gem.index.isin(variant.gemeenten.designated), dtype=bool),
        excluded=np.asarray(gem.index.isin(variant.gemeenten.excluded), dtype=bool),
        province_target={str(p): int(v) for p, v in target.items()},
        sites=sites,
        site_allowed=allowed,
        weights=obj.weights(),
        shortfall_factor=obj.shortfall_factor,
        surplus_factor=obj.surplus_factor,
        min_scale=obj.min_scale,
        band_ends=tuple(obj.band_ends),
        band_slopes=tuple(obj.band_slopes),
        financing=financing_inputs(rule, variant, fair, pop) if rule is not None else None,
    )


def gemeenten_frame(variant: ReceptionVariant, gem: pd.DataFrame, columns: dict[str, pd.Series]) -> pd.DataFrame:
    """The per-gemeente table the outputs start from: names, province, population, income,
    then ``columns`` (shares, existing places, limits), designated / excluded flags."""
    return pd.DataFrame({
        "gm_naam": gem["gm_naam"].astype(str),
        "provincie_code": gem["provincie_code"].astype(str),
        "provincie": gem["provincie"].astype(str),
        "population": gem["population_2024"].astype("int64"),
        "income_per_inhabitant_keur": gem.get("income_per_inhabitant_keur", np.nan),
        **columns,
        "designated": gem.index.isin(variant.gemeenten.designated),
        "excluded": gem.index.isin(variant.gemeenten.excluded),
    }, index=gem.index)


def inputs(variant: ReceptionVariant, data: ReceptionData) -> Prepared:
    """Stage ``inputs``: shares, provincial totals, fair shares, limits and the model's inputs,
    pre-checked for feasibility."""
    gem, existing, names = data.gemeenten, data.existing, data.province_names
    share, statutory = key_shares(variant, data)
    totals, source = provincial_totals(variant, data, share)
    fair = keys.fair_places(share, gem["provincie_code"], totals)
    limit = max_places(variant, gem["population_2024"], existing)
    provinces = provinces_table(gem, names, existing, totals, source)
    rule = variant.rule()
    model_in = model_inputs(variant, gem, fair, existing, limit, provinces["target"], rule)
    check_feasible(model_in, names, gem["gm_naam"], _source(variant))
    frame = gemeenten_frame(variant, gem, {"key_share": share, "statutory_share": statutory, "fair_share": fair,
                                           "existing": existing, "max_places": limit})
    return Prepared(variant=variant, frame=frame, provinces=provinces, rule=rule, inputs=model_in,
                    base_taakstelling=data.base_taakstelling, taakstelling_source=data.taakstelling_source,
                    files=dict(data.files))
