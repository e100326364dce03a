"""Variant files (``models/variants/*.toml``): one loader and one error mapper for every kind.

A variant is a TOML file with a ``kind`` (``koppeling`` or ``reception``), a ``name`` and the
sections its kind defines (a pydantic schema: :class:`optimizer.koppeling.variant.Variant`,
:class:`optimizer.reception.variant.ReceptionVariant`). Every kind has a ``[solver]`` section
(:class:`SolverSpec`): time limit, gap, threads, random seed and HiGHS options passed through.

Errors name the file, the field (dotted path) and the value: an unknown field, a wrong type, a
value out of range, a missing file, bad TOML or the wrong kind all raise one
:class:`~optimizer.core.errors.InputError` listing every problem.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

if TYPE_CHECKING:
    from optimizer.solve.highs import SolverOptions

from optimizer.core.errors import InputError, Violation
from optimizer.core.paths import variants_dir

V = TypeVar("V", bound="VariantBase")

#: Strict pydantic settings for every variant section: unknown keys rejected, numbers as
#: numbers (no quoted numbers or booleans), no inf/nan.
STRICT = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)


class VariantBase(BaseModel):
    """What every variant has: a short name, a description, and where it was read from (the
    file and its SHA-256, set by the loader; not part of the settings)."""

    name: str = Field("variant", description="short name, used for output folders and tables")
    description: str = ""
    source: str = Field("", exclude=True)
    sha256: str = Field("", exclude=True)


class SolverSpec(BaseModel):
    """``[solver]``: how HiGHS is run. Command-line options override these values."""

    model_config = STRICT
    time_limit: float = Field(60.0, gt=0, description="seconds per solve (HiGHS may overshoot by ~50%)")
    mip_rel_gap: float = Field(1e-3, ge=0, lt=1, description="relative MIP gap at which HiGHS stops")
    threads: int = Field(1, ge=1, description="HiGHS threads (1 = deterministic)")
    random_seed: int = Field(0, ge=0, description="HiGHS random seed")
    portfolio: int | None = Field(
        None, ge=1, description="HiGHS runs in parallel, one per random seed (seed, seed + 1, ...): the first to prove "
                                "the gap in seed order wins, else the lowest objective (optimizer.solve.portfolio); "
                                "not given: 2 for batches of 1,000 households or more when the machine has a core "
                                "besides HiGHS's threads, else 1 (where the cooperative search does not run)")
    cooperative: bool | None = Field(
        None, description="HiGHS and the neighbourhood search side by side, sharing the incumbent "
                          "(optimizer.koppeling.cooperative), for batches of 1,000 households or more: true or "
                          "false; not given: on for the plain MIP (4-week batches), off for LP + RENS (national). "
                          "Its answer depends on when the two exchange solutions (docs/model.md)")
    node_limit: int | None = Field(
        None, ge=1, description="branch-and-bound nodes at which HiGHS stops (HiGHS mip_max_nodes): a deterministic "
                                "limit, the same result on every machine (unlike time_limit)")
    highs: dict[str, bool | int | float | str] = Field(
        default_factory=dict, description="further HiGHS options by their HiGHS name, passed through")

    def options(self, **overrides: Any) -> SolverOptions:
        """:class:`SolverOptions` from this section; ``overrides`` that are not ``None`` win."""
        from optimizer.solve.highs import SolverOptions

        values = {"time_limit": self.time_limit, "mip_rel_gap": self.mip_rel_gap, "threads": self.threads,
                  "random_seed": self.random_seed, "extra": dict(self.highs)}
        values["portfolio"] = self.portfolio
        values["cooperative"] = self.cooperative
        nodes = overrides.pop("node_limit", None) or self.node_limit
        values.update({k: v for k, v in overrides.items() if v is not None})
        if nodes is not None:
            values["extra"]["mip_max_nodes"] = int(nodes)
        return SolverOptions(**values)


def solver_section(name: str, module: str, time_limit: float, mip_rel_gap: float) -> type[SolverSpec]:
    """The ``[solver]`` schema of one kind of variant: :class:`SolverSpec` with the kind's own
    default time limit and gap; assign it to ``name`` in ``module`` (so that it pickles)."""
    return create_model(
        name, __base__=SolverSpec, __module__=module,
        time_limit=(float, Field(time_limit, gt=0, description="seconds per solve (HiGHS may overshoot by ~50%)")),
        mip_rel_gap=(float, Field(mip_rel_gap, ge=0, lt=1, description="relative MIP gap at which HiGHS stops")))


#: File name prefixes of the variant kinds other than koppeling (``reception-eu2015.toml``).
PREFIXED_KINDS: tuple[str, ...] = ("reception", "monitoring")


def kind_of_name(stem: str) -> str:
    """The kind a variant file name stands for: its prefix (``reception-``, ``monitoring-``),
    else koppeling."""
    return next((k for k in PREFIXED_KINDS if stem.startswith(f"{k}-")), "koppeling")


def known_variants(kind: str) -> list[str]:
    """Names of the variant files of ``kind`` in models/variants (reception files start with
    ``reception-``, monitoring rules with ``monitoring-``)."""
    names = sorted(f.stem for f in variants_dir().glob("*.toml"))
    return [n for n in names if kind_of_name(n) == kind]


def resolve_variant_path(name_or_path: str | Path | None, kind: str, default: str = "default") -> Path:
    """A ``.toml`` path, or a name in models/variants (``default``; for reception also the name
    without its ``reception-`` prefix)."""
    p = Path(default if name_or_path is None else name_or_path)
    if p.suffix == ".toml" and p.is_file():
        return p
    stem = p.stem if p.suffix == ".toml" else p.name
    candidates = [variants_dir() / f"{stem}.toml"]
    if kind in PREFIXED_KINDS:  # the kind's own file first: monitoring "default" is monitoring-default.toml
        candidates.insert(0, variants_dir() / f"{kind}-{stem}.toml")
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise InputError(Violation(str(name_or_path), f"{kind} variant not found; give a .toml path or one of: "
                                                  f"{', '.join(known_variants(kind))}"))


def folder_names(names: Iterable[str]) -> list[str]:
    """A safe, unique output folder name per variant name (never a path: other characters
    become ``-``; a repeated name gets ``-2``, ``-3``, ...)."""
    out, seen = [], {}
    for name in names:
        base = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip(".-") or "variant"
        k = seen.get(base, 0)
        seen[base] = k + 1
        out.append(base if k == 0 else f"{base}-{k + 1}")
    return out


def read_toml(path: Path) -> tuple[dict, str]:
    """Parse a UTF-8 TOML file; return (data, sha256 of its bytes). Bad TOML -> InputError."""
    raw = path.read_bytes()
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(Violation(str(path), f"not valid TOML: {exc}")) from None
    if not data:
        raise InputError(Violation(str(path), "the variant file is empty; expected at least kind and name "
                                              "(see models/variants/*.toml)"))
    return data, hashlib.sha256(raw).hexdigest()


def violation_from(source: str, err: dict) -> Violation:
    """One pydantic error as a :class:`Violation`: the dotted field path as column, the value
    (not for whole tables or missing fields) and a plain message."""
    loc = ".".join(str(x) for x in err.get("loc", ()))
    msg = str(err.get("msg", "invalid value"))
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, "):]
    if err.get("type") == "extra_forbidden":
        msg = "unknown field (check the spelling; the fields are listed in docs/model.md and docs/reception.md)"
    value = err.get("input")
    if isinstance(value, (dict, list)) or err.get("type") == "missing":
        value = None
    return Violation(source, msg, column=loc or None, value=value)


def parse_variant(data: dict, schema: type[V], kind: str, source: str = "variant") -> V:
    """Validate a parsed TOML mapping against ``schema``; raise one InputError listing every
    problem. ``kind`` must match the file's ``kind`` (a koppeling file may leave it out)."""
    found = data.get("kind", "koppeling" if kind == "koppeling" else None)
    if found != kind:
        raise InputError(Violation(source, f"kind is {data.get('kind')!r}; a {kind} variant needs kind = \"{kind}\" "
                                           "at the top of the file", column="kind"))
    try:
        variant = schema.model_validate(data)
    except ValidationError as exc:
        raise InputError([violation_from(source, e) for e in exc.errors()]) from None
    variant.source = source
    return variant


def load_variant_file(name_or_path: str | Path | None, schema: type[V], kind: str) -> V:
    """Read, validate and fingerprint a variant file of ``kind``."""
    path = resolve_variant_path(name_or_path, kind)
    data, digest = read_toml(path)
    variant = parse_variant(data, schema, kind, str(path))
    variant.sha256 = digest
    return variant
