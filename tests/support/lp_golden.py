"""Golden LP snapshots of model families (``tests/math``).

One snapshot per constraint family and one of the objective, per case (a tiny hand-made
instance): ``tests/math/golden/<model>/<case>/<family>.lp``. A snapshot is the Pyomo LP
writer's output (without its header line) with symbolic labels and sorted rows, columns and
terms, written with only that family active (every other constraint deactivated, a constant
objective instead of the real one); the objective's snapshot has every constraint deactivated.
Bounds and domains of the variables a family uses are part of its snapshot.

A case may fall back on another case: it then stores only the snapshots that differ from that
case's, and for the others that case's file is the expected one. Files are compared with
:func:`pyomo.repn.tests.lp_diff.lp_diff` (whitespace and integral floats normalised, tiny float
differences tolerated); on a difference the unified diff is printed.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path

import pyomo.environ as pyo
import pytest
from pyomo.repn.plugins.lp_writer import LPWriter
from pyomo.repn.tests.lp_diff import lp_diff
from pyomo.repn.util import FileDeterminism

GOLDEN = Path(__file__).resolve().parents[1] / "math" / "golden"
#: Snapshot name of the objective (no constraint family may have this name).
OBJECTIVE = "objective"
_PLACEHOLDER = "golden_no_objective"


def families(m: pyo.ConcreteModel) -> list[str]:
    """Names of the model's active constraint components, in declaration order."""
    return [c.local_name for c in m.component_objects(pyo.Constraint, active=True)]


def snapshots(m: pyo.ConcreteModel) -> list[str]:
    """Every snapshot of a model: its constraint families and the objective."""
    names = families(m)
    assert OBJECTIVE not in names
    return [*names, OBJECTIVE]


def family_lp(m: pyo.ConcreteModel, family: str) -> str:
    """LP text of one constraint family alone, or of the objective alone (``family="objective"``).

    The model is left as it was (activity restored, the placeholder objective removed).
    """
    off = [c for c in m.component_objects(pyo.Constraint, active=True) if c.local_name != family]
    if family != OBJECTIVE:
        assert family in families(m), f"no active constraint family {family!r}"
        off += list(m.component_objects(pyo.Objective, active=True))
    for c in off:
        c.deactivate()
    if family != OBJECTIVE:
        m.add_component(_PLACEHOLDER, pyo.Objective(expr=0))
    try:
        buf = io.StringIO()
        LPWriter().write(m, buf, symbolic_solver_labels=True, file_determinism=FileDeterminism.SORT_SYMBOLS)
        # without the header line naming the model, so that equal families of two cases are equal
        return re.sub(r"\A\\\* Source Pyomo model name=.*\*\\\n+", "", buf.getvalue())
    finally:
        if family != OBJECTIVE:
            m.del_component(_PLACEHOLDER)
        for c in off:
            c.activate()


def differs(expected: str, actual: str) -> bool:
    """True when two LP texts differ (after :func:`lp_diff`'s normalisation; prints the diff)."""
    base, test = lp_diff(expected, actual, baseline="golden", testfile="model")
    return bool(base or test)


class Golden:
    """The snapshots of one model. ``build(case)`` gives the case's model; ``fallback[case]``
    names the case whose snapshots the case shares where its own would be equal (None: a base
    case, which stores all of its snapshots). Cases are listed parents first."""

    def __init__(self, model: str, build: Callable[[str], pyo.ConcreteModel], fallback: dict[str, str | None]):
        self.model, self.build, self.fallback = model, build, dict(fallback)
        self.cases = list(self.fallback)
        self._models: dict[str, pyo.ConcreteModel] = {}

    def get(self, case: str) -> pyo.ConcreteModel:
        if case not in self._models:
            self._models[case] = self.build(case)
        return self._models[case]

    def params(self) -> list[tuple[str, str]]:
        """(case, snapshot) for every case and every snapshot of its model."""
        return [(case, name) for case in self.cases for name in snapshots(self.get(case))]

    def own_file(self, case: str, family: str) -> Path:
        return GOLDEN / self.model / case / f"{family}.lp"

    def file(self, case: str, family: str) -> Path:
        """The expected snapshot: the case's own file, else its fallback case's (recursively)."""
        own = self.own_file(case, family)
        parent = self.fallback[case]
        return own if own.exists() or parent is None else self.file(parent, family)

    def text(self, case: str, family: str) -> str:
        return family_lp(self.get(case), family)

    def update(self, case: str, family: str) -> None:
        """Write the snapshot, unless it equals the fallback case's (then the case has no own file)."""
        text, own, parent = self.text(case, family), self.own_file(case, family), self.fallback[case]
        if parent is not None and family in snapshots(self.get(parent)) and text == self.text(parent, family):
            own.unlink(missing_ok=True)
            return
        own.parent.mkdir(parents=True, exist_ok=True)
        own.write_text(text)

    def check(self, case: str, family: str, update: bool) -> None:
        if update:
            self.update(case, family)
        path = self.file(case, family)
        assert path.exists(), f"no golden snapshot for {self.model} {case}/{family}: run pytest tests/math --update-golden"
        assert not differs(path.read_text(), self.text(case, family)), \
            f"{self.model} {case}/{family} differs from {path.relative_to(GOLDEN.parents[1])} (diff above)"

    def missing(self, case: str) -> list[str]:
        """Active constraint families of the case's model that have no golden snapshot."""
        return [f for f in families(self.get(case)) if not self.file(case, f).exists()]

    def orphans(self, case: str, remove: bool = False) -> list[Path]:
        """Snapshot files of a case that belong to no snapshot of its model (deleted, and not
        returned, with ``remove``)."""
        names = set(snapshots(self.get(case)))
        folder = GOLDEN / self.model / case
        found = sorted(p for p in folder.glob("*.lp") if p.stem not in names) if folder.exists() else []
        if remove:
            for p in found:
                p.unlink()
            return []
        return found

    def coverage(self, module_file: str | Path) -> tuple[list[str], list[str]]:
        """The constraint families the model module can create (:func:`constraint_templates`)
        and those of them that no case exercises."""
        templates = constraint_templates(Path(module_file).read_text())
        seen = {f for case in self.cases for f in families(self.get(case))}
        return templates, [t for t in templates if not any(template_matches(t, f) for f in seen)]


def golden_tests(golden: Golden) -> tuple[Callable[..., None], Callable[..., None]]:
    """The two tests every model's golden module defines (assign them to ``test_*`` names):
    each snapshot of each case matches its golden file; every active constraint family of each
    case has a golden file, and no golden file is left without a family."""

    @pytest.mark.parametrize("case,family", golden.params(), ids=lambda v: v)
    def test_family_matches_golden_snapshot(case: str, family: str, update_golden: bool) -> None:
        golden.check(case, family, update_golden)

    @pytest.mark.parametrize("case", golden.cases)
    def test_every_active_constraint_family_has_a_golden_file(case: str, update_golden: bool) -> None:
        missing = golden.missing(case)
        assert not missing, f"{case}: constraint families without a golden snapshot: {missing}"
        orphans = golden.orphans(case, remove=update_golden)
        assert not orphans, f"golden snapshots of families that no longer exist: {orphans}"

    return test_family_matches_golden_snapshot, test_every_active_constraint_family_has_a_golden_file


def constraint_templates(source: str) -> list[str]:
    """Every constraint family a model module can create, read from its source: ``m.<name> =
    pyo.Constraint`` and ``add_component(f"<template>", pyo.Constraint``; f-string fields
    (``{side}``) are kept as written."""
    names = re.findall(r"\bm\.(\w+) = pyo\.Constraint\(", source)
    names += re.findall(r"add_component\(f?\"([^\"]+)\", pyo\.Constraint\(", source)
    return sorted(set(names))


def template_matches(template: str, name: str) -> bool:
    pattern = re.sub(r"\\\{\w+\\\}", r"[a-z]+", re.escape(template))
    return re.fullmatch(pattern, name) is not None
