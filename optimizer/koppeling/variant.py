"""Koppeling variant files: named weight sets for the objective terms (``models/variants/*.toml``).

A variant is a TOML file with ``kind = "koppeling"``, a ``name``, a ``[weights]`` table and an
``[options]`` table, an optional ``[objective]`` table (``mode = "regret" | "maximise"``), and a ``[solver]`` table (:class:`optimizer.core.variants.SolverSpec`). Every objective term has a weight; 0 switches the term off. Unknown keys,
negative weights and wrong types are rejected with a message naming the file and the field.
Units of every weight are given in the field descriptions and in ``docs/model.md``.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, create_model, model_validator

from optimizer.core.paths import REPO_ROOT
from optimizer.core.variants import STRICT, VariantBase, load_variant_file, solver_section


def _weight_fields() -> dict[str, tuple[type, object]]:
    """One pydantic field per objective term of ``models/koppeling_terms.toml``: a weight in
    points (finite, >= 0) with the term's default and unit."""
    terms = tomllib.loads((REPO_ROOT / "models" / "koppeling_terms.toml").read_text(encoding="utf-8"))
    return {name: (float, Field(spec["weight"], ge=0, description=spec["unit"])) for name, spec in terms.items()}


#: Objective weights ("points"); the objective is sum(weight * raw term). Strict: numbers only
#: (no quoted numbers or booleans), finite and >= 0. Fields from models/koppeling_terms.toml.
Weights = create_model("Weights", __config__=STRICT, **_weight_fields())


class Options(BaseModel):
    model_config = STRICT
    quota_min_scale: float = Field(1.0, gt=0, description="persons; relative deviation divides by max(target, this)")
    quota_form: Literal["convex", "linear"] = Field(
        "convex", description="quota term: 'convex' (piecewise linear in the relative deviation, slopes rising "
                              "band by band; weights per weighted person) or 'linear' (sum of relative deviations; "
                              "weights per unit of relative deviation)")
    quota_band_ends: tuple[float, ...] = Field(
        (0.1, 0.25, 0.5, 0.75), strict=False,
        description="convex form: relative deviations where the slope rises (increasing, > 0)")
    quota_band_slopes: tuple[float, ...] = Field(
        (1.0, 2.0, 4.0, 8.0, 16.0), strict=False,
        description="convex form: slope per person in each band (one more than the ends; > 0, non-decreasing)")
    ties: Literal["hard", "soft"] = Field("hard", description="family/work/study ties: restrict to the tied gemeenten (hard) or strongly prefer them (soft)")
    medical: Literal["hard", "soft"] = Field("hard", description="medical region: restrict (hard) or strongly prefer (soft)")
    sharing: bool = Field(True, description="allow two single adults to share one class-2 dwelling")
    school_age: tuple[int, int] = Field((4, 17), strict=False,
                                        description="ages of children counted for continuity (schools)")

    @model_validator(mode="after")
    def _bands(self) -> Options:
        ends, slopes = self.quota_band_ends, self.quota_band_slopes
        if any(e <= 0 for e in ends) or any(b <= a for a, b in zip(ends, ends[1:])):
            raise ValueError(f"quota_band_ends must be increasing and > 0, got {list(ends)}")
        if len(slopes) != len(ends) + 1:
            raise ValueError(f"quota_band_slopes needs {len(ends) + 1} values (one per band), got {len(slopes)}")
        if any(c <= 0 for c in slopes) or any(b < a for a, b in zip(slopes, slopes[1:])):
            raise ValueError(f"quota_band_slopes must be > 0 and non-decreasing (convex), got {list(slopes)}")
        return self

    @model_validator(mode="after")
    def _school_age(self) -> Options:
        lo, hi = self.school_age
        if not 0 <= lo <= hi <= 17:
            raise ValueError(f"school_age must be [first, last] with 0 <= first <= last <= 17, got [{lo}, {hi}]")
        return self


class Objective(BaseModel):
    """``[objective]``: how the labour score enters the objective (docs/model.md, "Objective modes")."""

    model_config = STRICT
    mode: Literal["regret", "maximise"] = Field(
        "regret", description="regret: labour = best score minus the score where the household goes (>= 0; "
                              "leaving it unplaced costs only the unplaced terms); maximise: labour = minus the score "
                              "where it goes, so the objective maximises the total score with each household placed "
                              "at most once (set unplaced and waiting to 0 for a pure score maximisation)")


#: ``[solver]`` of a koppeling variant (the defaults of ``spreiding propose``).
KoppelingSolver = solver_section("KoppelingSolver", __name__, time_limit=60.0, mip_rel_gap=1e-3)


class Variant(VariantBase):
    """A koppeling variant: the weights of the objective terms, model options, solver settings."""

    model_config = STRICT
    kind: Literal["koppeling"] = "koppeling"
    name: str = "default"
    weights: Weights = Field(default_factory=Weights)
    options: Options = Field(default_factory=Options)
    objective: Objective = Field(default_factory=Objective)
    solver: KoppelingSolver = Field(default_factory=KoppelingSolver)


def load_variant(name_or_path: str | Path | None = None) -> Variant:
    """Read and validate a koppeling variant file (a path or a name in models/variants)."""
    return load_variant_file(name_or_path, Variant, "koppeling")
