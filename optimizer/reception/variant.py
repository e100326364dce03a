"""Reception variant files (``models/variants/reception-*.toml``): schema, defaults, validation.

A reception variant is a TOML file with ``kind = "reception"``. Every field has a default, a
unit and a description (below; rendered for users in ``docs/reception.md``). Unknown fields,
wrong types, an unknown key, key weights that do not sum to 1, negative rates or sizes, and
inconsistent tiers are rejected with one :class:`~optimizer.core.errors.InputError` listing every
problem with the file name and the field path (e.g. ``financing.shortfall.0.rate``).
Gemeente codes (designated / excluded) are checked against the dataset when the variant is
prepared (:func:`optimizer.reception.inputs.validate`), with the same kind of message.

Relative file paths in a variant are looked up next to the variant file first, then in the
raw-data folder (:func:`optimizer.core.paths.raw_dir`).
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from optimizer.core import variants
from optimizer.core.paths import raw_dir
from optimizer.rules.bonus_malus import PaymentRule, Tier
from optimizer.rules.keys import COMPONENTS, KEY_NAMES, PRESETS, WEIGHT_TOLERANCE

_STRICT = ConfigDict(extra="forbid", allow_inf_nan=False)
_GM = re.compile(r"^GM\d{4}$")
PERIOD_PATTERN = r"^\d{4}-H[12]$"


def _unique(values: list[str], what: str) -> list[str]:
    """``values`` unchanged; ValueError naming the duplicates if any value occurs twice."""
    dupes = sorted({x for x in values if values.count(x) > 1})
    if dupes:
        raise ValueError(f"duplicate {what} {', '.join(dupes)}")
    return values


class KeySpec(BaseModel):
    """Which distribution key sets the fair shares (see :mod:`optimizer.rules.keys`)."""

    model_config = _STRICT
    name: str = Field("population", description="named key: population (statutory), spreidingswet (file), "
                      "eu2015, eu2024, sweden, or custom (weights below)")
    weights: dict[str, float] = Field(default_factory=dict, description="custom key only: component -> weight "
                                      f"(>= 0, summing to 1); components: {', '.join(COMPONENTS)}")
    spreidingswet_file: str = Field("", description="file with the Spreidingswet indicative distribution (NOS "
                                    "format: gm_code, sw_indicatieve_verdeling, ...); needed when the key uses "
                                    "the spreidingswet component")

    @field_validator("name")
    @classmethod
    def _known_key(cls, v: str) -> str:
        if v not in KEY_NAMES:
            raise ValueError(f"unknown key {v!r}; expected one of {', '.join(KEY_NAMES)}")
        return v

    @model_validator(mode="after")
    def _weights(self) -> KeySpec:
        if self.name != "custom":
            if self.weights:
                raise ValueError(f"key {self.name!r} has fixed weights {PRESETS[self.name]}; "
                                 "give [key] weights only with name = \"custom\"")
            return self
        if not self.weights:
            raise ValueError("key 'custom' needs weights, e.g. weights = {population = 0.5, economic = 0.5}")
        unknown = sorted(k for k in self.weights if k not in COMPONENTS)
        if unknown:
            raise ValueError(f"unknown key component(s) {', '.join(map(repr, unknown))}; expected one of "
                             f"{', '.join(COMPONENTS)}")
        negative = {k: v for k, v in self.weights.items() if not (v >= 0 and math.isfinite(v))}
        if negative:
            raise ValueError(f"key weights must be >= 0, got {negative}")
        total = sum(self.weights.values())
        if abs(total - 1.0) > WEIGHT_TOLERANCE:
            raise ValueError(f"key weights must sum to 1, they sum to {total:.6g} ({self.weights})")
        return self

    def component_weights(self) -> dict[str, float]:
        return dict(self.weights) if self.name == "custom" else dict(PRESETS[self.name])

    @property
    def uses_spreidingswet(self) -> bool:
        return self.component_weights().get("spreidingswet", 0.0) > 0


class ProvincesSpec(BaseModel):
    """Where the provincial totals come from."""

    model_config = _STRICT
    totals: Literal["key", "file"] = Field("key", description="key: sum of the gemeente shares per province "
                                           "(largest remainder); file: read from `file`")
    file: str = Field("", description="table with provincie_code (or provincie) and a column of places")
    column: str = Field("places", description="column of `file` holding the places per province")

    @model_validator(mode="after")
    def _file_needed(self) -> ProvincesSpec:
        if self.totals == "file" and not self.file:
            raise ValueError("totals = \"file\" needs a file (provincie_code, places)")
        return self


class ExistingSpec(BaseModel):
    """Existing reception places (they count towards each gemeente's places and are never closed)."""

    model_config = _STRICT
    file: str = Field("", description="table gm_code, reception_places; empty = the embedded MODELLED file "
                      "(50,000 places over the 231 largest gemeenten, docs/data.md)")
    from_spreidingswet_file: bool = Field(False, description="use sw_capaciteit_totaal of key.spreidingswet_file "
                                          "as existing places")


class GemeentenSpec(BaseModel):
    """Per-gemeente limits."""

    model_config = _STRICT
    max_places_per_1000: float | None = Field(None, gt=0, description="places per 1,000 inhabitants no gemeente "
                                              "may exceed with new places (existing places above it are kept)")
    designated: list[str] = Field(default_factory=list, description="gm_codes that must host at least their "
                                  "fair share (aanwijzing)")
    excluded: list[str] = Field(default_factory=list, description="gm_codes that get no new places")

    @field_validator("designated", "excluded")
    @classmethod
    def _codes(cls, v: list[str]) -> list[str]:
        bad = [c for c in v if not _GM.match(str(c))]
        if bad:
            raise ValueError(f"gemeente codes must look like GM0014, got {', '.join(map(repr, bad))}")
        return _unique(v, "gemeente codes")

    @model_validator(mode="after")
    def _disjoint(self) -> GemeentenSpec:
        both = sorted(set(self.designated) & set(self.excluded))
        if both:
            raise ValueError(f"gemeenten both designated and excluded: {', '.join(both)}")
        return self


class SiteSpec(BaseModel):
    """One kind of reception site a gemeente can open (several of each, up to ``max_sites``)."""

    model_config = _STRICT
    name: str = Field(..., pattern=r"^[a-z][a-z0-9_]*$", description="short name (lower case), used in columns")
    min_size: int = Field(..., ge=1, description="places per site, at least")
    max_size: int = Field(..., ge=1, description="places per site, at most")

    @model_validator(mode="after")
    def _sizes(self) -> SiteSpec:
        if self.max_size < self.min_size:
            raise ValueError(f"site {self.name!r}: max_size ({self.max_size}) must be >= min_size ({self.min_size})")
        return self

    # what a gemeente may open, and what it costs
    max_sites: int = Field(1, ge=0, description="sites of this kind per gemeente, at most")
    durable: bool = Field(False, description="available 5+ years and >= 100 places (Spreidingswet 'duurzaam'): "
                          "decides the place-bonus category")
    min_population: int = Field(0, ge=0, description="inhabitants a gemeente needs to host this kind")
    cost_per_site_eur: float = Field(0.0, ge=0, description="EUR per site per year (fixed: management, security)")
    cost_per_place_eur: float = Field(0.0, ge=0, description="EUR per place per year, on top of the fixed cost")


def _default_sites() -> list[SiteSpec]:
    """Default site options (costs: illustrative estimates of the *extra* yearly cost compared
    with a large azc, in EUR; see docs/reception.md)."""
    return [
        SiteSpec(name="small", min_size=15, max_size=99, max_sites=6, durable=False,
                 cost_per_site_eur=25_000, cost_per_place_eur=3_000),
        SiteSpec(name="medium", min_size=100, max_size=299, max_sites=4, durable=True,
                 cost_per_site_eur=50_000, cost_per_place_eur=1_500),
        SiteSpec(name="large", min_size=300, max_size=800, max_sites=3, durable=True, min_population=40_000,
                 cost_per_site_eur=100_000, cost_per_place_eur=0),
    ]


class ObjectiveSpec(BaseModel):
    """Weights of the objective terms (0 switches a term off); units in the descriptions."""

    model_config = _STRICT
    deviation: float = Field(0.05, ge=0, description="per weighted place of deviation from the fair share "
                             "(EUR million per place in the first band; see band_slopes)")
    site_cost: float = Field(1.0, ge=0, description="per million EUR per year of site costs")
    financing: float = Field(1.0, ge=0, description="per million EUR per year paid net by the gemeenten under "
                             "the bonus-malus scheme (maluses minus bonuses)")
    band_ends: list[float] = Field(default_factory=lambda: [0.1, 0.25, 0.5, 0.75], description="relative deviation "
                                   "(fraction of the share) where the penalty per place steps up")
    band_slopes: list[float] = Field(default_factory=lambda: [1.0, 2.0, 4.0, 8.0, 16.0], description="penalty per "
                                     "place in each band (one more than band_ends, non-decreasing)")
    shortfall_factor: float = Field(1.0, ge=0, description="multiplies the penalty of places below the share")
    surplus_factor: float = Field(1.0, ge=0, description="multiplies the penalty of places above the share")
    min_scale: float = Field(1.0, gt=0, description="places; relative deviations divide by max(share, this)")

    @model_validator(mode="after")
    def _bands(self) -> ObjectiveSpec:
        ends, slopes = self.band_ends, self.band_slopes
        if any(not (e > 0) for e in ends) or any(b <= a for a, b in zip(ends, ends[1:])):
            raise ValueError(f"band_ends must be > 0 and increasing, got {ends}")
        if len(slopes) != len(ends) + 1:
            raise ValueError(f"band_slopes needs one value more than band_ends ({len(ends) + 1}), got {len(slopes)}")
        if any(not (v >= 0) for v in slopes) or any(b < a for a, b in zip(slopes, slopes[1:])):
            raise ValueError(f"band_slopes must be >= 0 and non-decreasing (a convex penalty), got {slopes}")
        return self

    def weights(self) -> dict[str, float]:
        return {"deviation": self.deviation, "site_cost": self.site_cost, "financing": self.financing}


class TierSpec(BaseModel):
    """One tier of a bonus or malus: ``rate`` EUR per place up to ``upto``."""

    model_config = _STRICT
    upto: float | None = Field(None, gt=0, description="upper end of the tier, in places (or fraction of the "
                               "share when tier_unit = \"share\"); none = open")
    rate: float = Field(..., ge=0, description="EUR per place per year")


class PlaceBonusRates(BaseModel):
    """EUR per place per year, by category."""

    model_config = _STRICT
    durable: float = Field(0.0, ge=0, description="EUR per place at a durable site (5+ years, >= 100 places)")
    temporary: float = Field(0.0, ge=0, description="EUR per place at any other site")


class FinancingSpec(BaseModel):
    """The bonus-malus scheme (see :mod:`optimizer.rules.bonus_malus`); absent = no payments."""

    model_config = _STRICT
    phase: Literal["national", "provincial"] = Field("national", description="which place-bonus rates apply: "
                                                     "places offered in the national phase or after the "
                                                     "province's prompt")
    place_bonus: dict[Literal["national", "provincial"], PlaceBonusRates] = Field(
        default_factory=dict, description="place bonus per phase and category (Spreidingswet: national 5,000 / "
        "2,500; provincial 4,000 / 1,500 EUR per durable / other place)")
    existing_category: Literal["durable", "temporary", "none"] = Field(
        "durable", description="place-bonus category of existing places (none = no bonus for them)")
    surplus: list[TierSpec] = Field(default_factory=list, description="bonus tiers per place above the share")
    shortfall: list[TierSpec] = Field(default_factory=list, description="malus tiers per place below the share")
    tier_unit: Literal["places", "share"] = Field("places", description="tier upper ends in places or as a "
                                                  "fraction of the gemeente's share")
    bonus_cap_eur: float | None = Field(None, ge=0, description="EUR per gemeente per year, at most received")
    bonus_cap_eur_per_inhabitant: float | None = Field(None, ge=0, description="EUR per inhabitant, at most received")
    malus_cap_eur: float | None = Field(None, ge=0, description="EUR per gemeente per year, at most paid")
    malus_cap_eur_per_inhabitant: float | None = Field(None, ge=0, description="EUR per inhabitant, at most paid")
    budget_neutral: bool = Field(False, description="maluses fund the bonuses exactly: the malus pool is paid "
                                 "out per place above the share")
    neutral_iterations: int = Field(4, ge=1, le=20, description="budget-neutral only: solves used to settle the "
                                    "bonus rate the model steers with")

    @model_validator(mode="after")
    def _consistent(self) -> FinancingSpec:
        try:
            self.rule()
        except ValueError as exc:
            raise ValueError(str(exc)) from None
        if self.place_bonus and self.phase not in self.place_bonus:
            raise ValueError(f"phase = {self.phase!r} but place_bonus has rates only for "
                             f"{', '.join(self.place_bonus)}")
        if self.budget_neutral and not self.shortfall:
            raise ValueError("a budget-neutral scheme needs shortfall (malus) tiers to fund its bonuses")
        return self

    def rule(self) -> PaymentRule:
        """The :class:`PaymentRule` this section describes (categories durable / temporary)."""
        rates = self.place_bonus.get(self.phase)
        place_bonus = {"durable": rates.durable, "temporary": rates.temporary} if rates else {}
        return PaymentRule(
            place_bonus=place_bonus,
            surplus_tiers=tuple(Tier(t.upto, t.rate) for t in self.surplus),
            shortfall_tiers=tuple(Tier(t.upto, t.rate) for t in self.shortfall),
            tier_unit=self.tier_unit,
            bonus_cap_eur=self.bonus_cap_eur,
            bonus_cap_eur_per_inhabitant=self.bonus_cap_eur_per_inhabitant,
            malus_cap_eur=self.malus_cap_eur,
            malus_cap_eur_per_inhabitant=self.malus_cap_eur_per_inhabitant,
            budget_neutral=self.budget_neutral,
        )


class VereveningSpec(BaseModel):
    """Offsetting reception against the housing taakstelling (after solving)."""

    model_config = _STRICT
    enabled: bool = Field(False, description="write an adjusted taakstelling")
    factor: float = Field(0.15, ge=0, description="persons of taakstelling per reception place above (-) or "
                          "below (+) the share, per half-year")
    period: str = Field("2025-H2", pattern=PERIOD_PATTERN, description="half-year of the taakstelling (YYYY-H1/H2); "
                        "its reference population must be embedded or given in population_file")
    national: int | None = Field(None, ge=0, description="national taakstelling (persons); none = the dataset's")
    rounding: Literal["up", "nearest"] = Field("up", description="rounding of the statutory taakstelling")
    floor_fraction: float = Field(0.0, ge=0, le=1, description="the adjusted taakstelling stays >= this fraction "
                                  "of the base")
    population_file: str = Field("", description="population on the period's reference date (gm_code, population), "
                                 "when the embedded dataset does not hold it")


#: ``[solver]`` of a reception variant.
ReceptionSolver = variants.solver_section("ReceptionSolver", __name__, time_limit=120.0, mip_rel_gap=1e-4)


class ReceptionVariant(BaseModel):
    """A reception variant: key, provincial totals, sites, limits, objective, financing, verevening."""

    model_config = _STRICT
    kind: Literal["reception"] = "reception"
    name: str = Field("reception", description="short name, used for output folders and tables")
    description: str = ""
    total_places: int = Field(88_000, ge=0, description="national reception places to distribute (cycle 2: 88,000)")
    key: KeySpec = Field(default_factory=KeySpec, description="distribution key")
    provinces: ProvincesSpec = Field(default_factory=ProvincesSpec, description="provincial totals")
    existing: ExistingSpec = Field(default_factory=ExistingSpec, description="existing reception places")
    gemeenten: GemeentenSpec = Field(default_factory=GemeentenSpec, description="per-gemeente limits")
    sites: list[SiteSpec] = Field(default_factory=_default_sites, min_length=1,
                                  description="site options ([[sites]] tables); default small / medium / large")
    objective: ObjectiveSpec = Field(default_factory=ObjectiveSpec, description="objective weights")
    financing: FinancingSpec | None = Field(None, description="bonus-malus scheme; absent = no payments")
    verevening: VereveningSpec = Field(default_factory=VereveningSpec, description="offset against the taakstelling")
    solver: ReceptionSolver = Field(default_factory=ReceptionSolver, description="HiGHS settings")
    source: str = Field("", exclude=True)
    sha256: str = Field("", exclude=True)

    @field_validator("sites")
    @classmethod
    def _unique_sites(cls, v: list[SiteSpec]) -> list[SiteSpec]:
        _unique([s.name for s in v], "site names")
        return v

    @model_validator(mode="after")
    def _cross(self) -> ReceptionVariant:
        if self.existing.from_spreidingswet_file and not self.key.spreidingswet_file:
            raise ValueError("existing.from_spreidingswet_file needs key.spreidingswet_file")
        if self.key.uses_spreidingswet and not self.key.spreidingswet_file:
            raise ValueError(f"key {self.key.name!r} uses the spreidingswet component: give key.spreidingswet_file")
        return self

    def rule(self) -> PaymentRule | None:
        return self.financing.rule() if self.financing is not None else None

    def resolve_path(self, text: str) -> Path:
        """A file named in the variant: absolute, next to the variant file, or in the raw folder."""
        p = Path(text).expanduser()
        if p.is_absolute():
            return p
        if self.source:
            near = Path(self.source).parent / p
            if near.exists():
                return near
        if p.exists():
            return p
        return raw_dir() / p


def parse_variant(data: dict, source: str = "variant") -> ReceptionVariant:
    """Validate a parsed TOML mapping; raise :class:`InputError` listing every problem."""
    return variants.parse_variant(data, ReceptionVariant, "reception", source)


def load_variant(name_or_path: str | Path) -> ReceptionVariant:
    """Read and validate a reception variant file (path, or name in models/variants with or
    without its ``reception-`` prefix)."""
    return variants.load_variant_file(name_or_path, ReceptionVariant, "reception")


def field_docs() -> list[tuple[str, str, str]]:
    """(field path, default, description) of every leaf field, for the documentation.

    Lists of tables are shown as ``sites[].min_size``, tables keyed by phase as
    ``financing.place_bonus.<phase>.durable``.
    """
    import typing

    rows: list[tuple[str, str, str]] = []

    def model_in(ann) -> tuple[type[BaseModel] | None, str]:
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            return ann, ""
        origin, args = typing.get_origin(ann), typing.get_args(ann)
        if origin is list and args:
            sub, _ = model_in(args[0])
            return sub, "[]"
        if origin is dict and len(args) == 2:
            sub, _ = model_in(args[1])
            return sub, ".<phase>"
        for a in args:
            sub, suffix = model_in(a)
            if sub is not None:
                return sub, suffix
        return None, ""

    def walk(model: type[BaseModel], prefix: str) -> None:
        for name, f in model.model_fields.items():
            if name in ("source", "sha256"):
                continue
            sub, suffix = model_in(f.annotation)
            path = f"{prefix}{name}"
            if sub is not None:
                if f.description:
                    rows.append((path + suffix, "", f.description))
                walk(sub, path + suffix + ".")
                continue
            default = "" if f.is_required() else repr(f.get_default(call_default_factory=True))
            rows.append((path, default, f.description or ""))

    walk(ReceptionVariant, "")
    return rows
