"""Koppeling variant files: named weight sets for the objective terms (``models/variants/*.toml``).

A variant is a TOML file with ``kind = "koppeling"``, a ``name``, a ``[weights]`` table and an
``[options]`` table, and a ``[solver]`` table (:class:`optimizer.core.variants.SolverSpec`). Every objective term has a weight; 0 switches the term off. Unknown keys,
negative weights and wrong types are rejected with a message naming the file and the field.
Units of every weight are given in the field descriptions and in ``docs/model.md``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from optimizer.core.variants import STRICT, SolverSpec, load_variant_file


class Weights(BaseModel):
    """Objective weights ("points"); the objective is sum(weight * raw term).

    Strict: numbers only (no quoted numbers or booleans), finite and >= 0."""

    model_config = STRICT
    quota: float = Field(100.0, ge=0, description="per unit of relative deviation |persons - target| / max(target, quota_min_scale), per gemeente")
    pressure: float = Field(50.0, ge=0, description="per unit of relative over-shoot times housing pressure (0-1), per gemeente")
    minimax: float = Field(0.0, ge=0, description="per unit of the worst relative deviation over all gemeenten (0 = off)")
    size_fit: float = Field(4.0, ge=0, description="per dwelling-class step a household is housed above the class it needs")
    sharing: float = Field(6.0, ge=0, description="per class-2 dwelling shared by two single adults (less than a dwelling of their own)")
    labour: float = Field(20.0, ge=0, description="per expected employed adult fewer than in the household's best region")
    continuity: float = Field(3.0, ge=0, description="per household linked outside the COA region of its current location")
    continuity_per_school_child: float = Field(2.0, ge=0, description="extra, per child aged 4-17 of such a household")
    tie: float = Field(60.0, ge=0, description="per household whose (soft) tie or medical region is not honoured")
    change: float = Field(30.0, ge=0, description="per household linked elsewhere than in the previous proposal")
    unplaced: float = Field(1000.0, ge=0, description="per household left unlinked")
    waiting: float = Field(20.0, ge=0, description="per month waited since the permit, per household left unlinked")


class Options(BaseModel):
    model_config = STRICT
    quota_min_scale: float = Field(1.0, gt=0, description="persons; relative deviation divides by max(target, this)")
    ties: Literal["hard", "soft"] = Field("hard", description="family/work/study ties: restrict to the tied gemeenten (hard) or strongly prefer them (soft)")
    medical: Literal["hard", "soft"] = Field("hard", description="medical region: restrict (hard) or strongly prefer (soft)")
    sharing: bool = Field(True, description="allow two single adults to share one class-2 dwelling")
    school_age: tuple[int, int] = Field((4, 17), strict=False,
                                        description="ages of children counted for continuity (schools)")


class KoppelingSolver(SolverSpec):
    """``[solver]`` of a koppeling variant (defaults of ``spreiding propose``)."""

    time_limit: float = Field(60.0, gt=0, description="seconds for the whole solve (HiGHS may overshoot by ~50%)")
    mip_rel_gap: float = Field(1e-3, ge=0, lt=1, description="relative MIP gap at which HiGHS stops")


class Variant(BaseModel):
    model_config = STRICT
    kind: Literal["koppeling"] = "koppeling"
    name: str = "default"
    description: str = ""
    weights: Weights = Field(default_factory=Weights)
    options: Options = Field(default_factory=Options)
    solver: KoppelingSolver = Field(default_factory=KoppelingSolver)
    source: str = Field("", exclude=True)
    sha256: str = Field("", exclude=True)


def load_variant(name_or_path: str | Path | None = None) -> Variant:
    """Read and validate a koppeling variant file (a path or a name in models/variants)."""
    return load_variant_file(name_or_path, Variant, "koppeling")
