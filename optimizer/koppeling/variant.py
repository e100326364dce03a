"""Koppeling variant files: named weight sets for the objective terms (``models/variants/*.toml``).

A variant is a TOML file with ``kind = "koppeling"``, a ``name``, a ``[weights]`` table and an
``[options]`` table. Every objective term has a weight; 0 switches the term off. Unknown keys,
negative weights and wrong types are rejected with a message naming the file and the field.
Units of every weight are given in the field descriptions and in ``docs/model.md``.
"""

from __future__ import annotations

import hashlib
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from optimizer.core.errors import InputError, Violation
from optimizer.core.paths import variants_dir


class Weights(BaseModel):
    """Objective weights ("points"); the objective is sum(weight * raw term).

    Strict: numbers only (no quoted numbers or booleans), finite and >= 0."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)
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
    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)
    quota_min_scale: float = Field(1.0, gt=0, description="persons; relative deviation divides by max(target, this)")
    ties: Literal["hard", "soft"] = Field("hard", description="family/work/study ties: restrict to the tied gemeenten (hard) or strongly prefer them (soft)")
    medical: Literal["hard", "soft"] = Field("hard", description="medical region: restrict (hard) or strongly prefer (soft)")
    sharing: bool = Field(True, description="allow two single adults to share one class-2 dwelling")
    school_age: tuple[int, int] = Field((4, 17), strict=False,
                                        description="ages of children counted for continuity (schools)")


class Variant(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    kind: Literal["koppeling"] = "koppeling"
    name: str = "default"
    description: str = ""
    weights: Weights = Field(default_factory=Weights)
    options: Options = Field(default_factory=Options)
    source: str = Field("", exclude=True)
    sha256: str = Field("", exclude=True)


def resolve_variant_path(name_or_path: str | Path | None) -> Path:
    """A path, or the name of a file in models/variants (``default`` -> default.toml)."""
    if name_or_path is None:
        return variants_dir() / "default.toml"
    p = Path(name_or_path)
    if p.suffix == ".toml" and p.exists():
        return p
    candidate = variants_dir() / (p.name if p.suffix == ".toml" else f"{p.name}.toml")
    if candidate.exists():
        return candidate
    known = ", ".join(sorted(f.stem for f in variants_dir().glob("*.toml") if not f.stem.startswith("reception")))
    raise InputError(Violation(str(name_or_path), f"variant not found; give a .toml path or one of: {known}"))


def read_toml(path: Path) -> tuple[dict, str]:
    """Parse a UTF-8 TOML file; return (data, sha256 of its bytes). Bad TOML -> InputError."""
    raw = path.read_bytes()
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(Violation(str(path), f"not valid TOML: {exc}")) from None
    return data, hashlib.sha256(raw).hexdigest()


def load_variant(name_or_path: str | Path | None = None) -> Variant:
    """Read and validate a koppeling variant file."""
    path = resolve_variant_path(name_or_path)
    data, digest = read_toml(path)
    if data.get("kind", "koppeling") != "koppeling":
        raise InputError(Violation(str(path), f"kind is {data.get('kind')!r}; a koppeling variant needs kind = \"koppeling\"",
                                   column="kind"))
    try:
        variant = Variant.model_validate(data)
    except ValidationError as exc:
        raise InputError([
            Violation(str(path), err["msg"], column=".".join(str(x) for x in err["loc"]),
                      value=err.get("input") if not isinstance(err.get("input"), dict) else None)
            for err in exc.errors()
        ]) from None
    variant.source = str(path)
    variant.sha256 = digest
    return variant
