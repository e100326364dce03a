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
    ties: Literal["hard", "soft"] = Field("hard", description="family/work/study ties: restrict to the tied gemeenten (hard) or strongly prefer them (soft)")
    medical: Literal["hard", "soft"] = Field("hard", description="medical region: restrict (hard) or strongly prefer (soft)")
    sharing: bool = Field(True, description="allow two single adults to share one class-2 dwelling")
    school_age: tuple[int, int] = Field((4, 17), strict=False,
                                        description="ages of children counted for continuity (schools)")

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
