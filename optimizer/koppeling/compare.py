"""Compare koppeling variants: the same batch under several weight sets.

``compare_variants(["default", "labour-first"], households, state, out)`` proposes the batch once
per variant (:func:`optimizer.koppeling.run.run_propose`, each into ``out/<name>/``) and adds:

* ``comparison.csv``: one row per variant: solver status, objective and gap, households linked,
  unplaced and excluded, persons linked, the fairness figures between gemeenten of the run
  record, and the household outcomes of :func:`optimizer.koppeling.tables.type_row` over all
  decided households (mean labour regret = mean over linked households of best minus own
  employment score, share in the best labour region, share leaving the COA region, larger and
  shared dwellings), plus ``moved``: households whose outcome differs from the first variant;
* ``movers.csv``: every household whose status or gemeente differs from the first (base)
  variant, with what changed for it (labour score, COA region, dwelling class) and the new
  proposal's own reason, both in the report's language (``lang``: the variants' proposals are
  written in it too);
* ``report.html``/``report.xlsx`` and ``run.json``.

Inputs (every variant, the households and the state) are checked before any solve.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import pandas as pd

from optimizer.core.errors import InputError, Violation, raise_if
from optimizer.core.runrecord import RunRecord, inputs_record
from optimizer.core.tables import atomic_output_dir, check_output_dir, write_table
from optimizer.core.variants import folder_names, read_toml, resolve_variant_path
from optimizer.data import schemas
from optimizer.koppeling.run import ProposeConfig, run_propose
from optimizer.koppeling.tables import type_row
from optimizer.koppeling.variant import Variant, load_variant
from optimizer.report import Report, write_report
from optimizer.report.strings import text, texts

OUTCOME_COLUMNS = ("household_id", "status", "gm_code", "coa_region", "persons", "needed_class", "dwelling_class",
                   "employment_score_here", "reason")


def is_koppeling(variant_names: Sequence[str], households: object, state: object) -> bool:
    """Whether ``compare`` is asked for koppeling variants: a batch is given, or every variant
    named is a koppeling variant file (else they are reception variants)."""
    if households is not None or state is not None:
        return True
    for name in variant_names:
        try:
            data, _ = read_toml(resolve_variant_path(name, "koppeling"))
        except InputError:
            return False
        if data.get("kind", "koppeling") != "koppeling":
            return False
    return bool(variant_names)


def check_inputs(variant_names: Sequence[str], households: str | Path | None, state: str | Path | None,
                 out: str | Path) -> list[Variant]:
    """Every variant, the households and the state, and ``out``: all problems at once."""
    violations: list[Violation] = []
    if len(variant_names) < 2:
        violations.append(Violation("VARIANTS", "give two or more koppeling variants to compare",
                                    value=" ".join(map(str, variant_names))))
    for option, given in (("--households", households), ("--state", state)):
        if given is None:
            violations.append(Violation(option, "koppeling variants are compared on one batch: give --households "
                                                "FILE and --state FILE"))
    variants: list[Variant] = []
    reads = [lambda: check_output_dir(out), *[(lambda n=n: variants.append(load_variant(n))) for n in variant_names]]
    if households is not None:
        reads.append(lambda: schemas.load_households(households))
    if state is not None:
        reads.append(lambda: schemas.load_state(state))
    for read in reads:
        try:
            read()
        except InputError as exc:
            violations += exc.violations
    raise_if(violations)
    return variants


def metrics_row(name: str, record: dict, proposal: pd.DataFrame) -> dict:
    """One variant's row of ``comparison.csv`` (module text)."""
    decided = proposal[proposal["status"].isin(["linked", "unplaced", "excluded"])]
    outcomes = type_row(name, decided) if len(decided) else {}
    h = record["households"]
    return {"variant": name, "status": record["status"], "objective": record["objective"], "gap": record["gap"],
            "linked": h["linked"], "unplaced": h["unplaced"], "excluded": h["excluded"],
            "persons_linked": h["persons_linked"], **{k: v for k, v in record["fairness"].items()},
            **{k: v for k, v in outcomes.items() if k not in ("household_type", "households", "persons")}}


def why_moved(base: pd.Series, other: pd.Series, lang: str, fill: pd.DataFrame | None = None) -> str:
    """What changed for a household between two proposals, in plain words in ``lang``; with
    ``fill`` (persons and target per gemeente under the other variant) also how full its old
    gemeente is there (the displacement that pushed it on)."""
    parts = []

    def say(key: str, **values: object) -> None:
        parts.append(text(lang, f"compare.{key}", **values))

    if base["status"] != other["status"]:
        say("why_placed", a=text(lang, f"status.{base['status']}"), b=text(lang, f"status.{other['status']}"))
    a, b = pd.to_numeric(base["employment_score_here"]), pd.to_numeric(other["employment_score_here"])
    if pd.notna(a) and pd.notna(b) and abs(a - b) > 1e-9:
        say("why_labour", a=float(a), b=float(b))
    if str(base["coa_region"]) != str(other["coa_region"]) and base["status"] == other["status"] == "linked":
        say("why_region", a=base["coa_region"], b=other["coa_region"])
    if str(base["dwelling_class"]) != str(other["dwelling_class"]) and base["status"] == other["status"] == "linked":
        say("why_dwelling", a=base["dwelling_class"], b=other["dwelling_class"], n=base["needed_class"])
    old_gm = str(base["gm_code"])
    if fill is not None and old_gm in fill.index and base["status"] == "linked":
        say("why_full", gm=old_gm, p=int(fill.at[old_gm, "persons"]), t=float(fill.at[old_gm, "target"]))
    return "; ".join(parts) or text(lang, "compare.why_same")


def movers(base_name: str, base: pd.DataFrame, name: str, other: pd.DataFrame, lang: str,
           fill: pd.DataFrame | None = None) -> pd.DataFrame:
    """Households whose status or gemeente differs between ``base`` and ``other``, and why
    (``fill``: ``other``'s persons and target per gemeente, :func:`why_moved`)."""
    a = base[list(OUTCOME_COLUMNS)].set_index("household_id")
    b = other[list(OUTCOME_COLUMNS)].set_index("household_id").reindex(a.index)
    changed = (a["status"] != b["status"]) | (a["gm_code"].fillna("") != b["gm_code"].fillna(""))
    rows = [{"variant": name, "base": base_name, "household_id": hid, "persons": a.at[hid, "persons"],
             f"gm_code_{'base'}": a.at[hid, "gm_code"], "gm_code_variant": b.at[hid, "gm_code"],
             "labour_score_base": a.at[hid, "employment_score_here"],
             "labour_score_variant": b.at[hid, "employment_score_here"],
             "why": why_moved(a.loc[hid], b.loc[hid], lang, fill), "reason_variant": b.at[hid, "reason"]}
            for hid in a.index[changed.to_numpy()]]
    return pd.DataFrame(rows, columns=["variant", "base", "household_id", "persons", "gm_code_base", "gm_code_variant",
                                       "labour_score_base", "labour_score_variant", "why", "reason_variant"])


def compare_report(table: pd.DataFrame, moved: pd.DataFrame, n_households: int, lang: str) -> Report:
    t = texts("compare", lang)
    base = str(table["variant"].iloc[0])
    rep = Report(title=t["title"], kind="compare", lang=lang)  # type: ignore[arg-type]
    rep.add_summary(t["batch"], n_households)
    rep.add_summary(t["variants"], ", ".join(table["variant"]))
    for name, n in zip(table["variant"].iloc[1:], table["moved"].iloc[1:]):
        rep.add_summary(f"{t['moved'].format(base=base)}: {name}", int(n))
    rep.add_text(t["intro"].format(base=base))
    rep.add_table(t["metrics"], table, t["metrics_caption"])
    rep.add_table(t["movers"], moved, t["movers_caption"], detail="reason_variant")
    return rep


def compare_variants(variant_names: Sequence[str], households: str | Path | None, state: str | Path | None,
                     out: str | Path, *,
                     as_of: date | None = None, time_limit: float | None = None, lang: str = "nl") -> pd.DataFrame:
    """Propose the batch under each variant and compare (module text). Returns the table."""
    t0 = time.perf_counter()
    variants = check_inputs(variant_names, households, state, out)
    names = folder_names(v.name for v in variants)
    with atomic_output_dir(out) as tmp:
        records, proposals, fills = {}, {}, {}
        for v, name in zip(variants, names):
            cfg = ProposeConfig(households=households, state=state, out=tmp / name, variant=v.source, as_of=as_of,
                                time_limit=time_limit, make_map=False, formats=("csv",), command="compare",
                                lang=lang)
            records[name] = run_propose(cfg)
            proposals[name] = pd.read_csv(tmp / name / "proposal.csv", dtype={"gm_code": str}, keep_default_na=False)
            fills[name] = pd.read_csv(tmp / name / "gemeenten.csv", usecols=["gm_code", "persons", "target"],
                                      dtype={"gm_code": str}).set_index("gm_code")
        moved = pd.concat([movers(names[0], proposals[names[0]], n, proposals[n], lang, fills[n])
                           for n in names[1:]], ignore_index=True)
        table = pd.DataFrame([metrics_row(n, records[n], proposals[n]) for n in names])
        table["moved"] = [0, *[int((moved["variant"] == n).sum()) for n in names[1:]]]
        write_table(table, tmp / "comparison.csv")
        write_table(moved, tmp / "movers.csv")
        written = write_report(compare_report(table, moved, len(proposals[names[0]]), lang), tmp)
        record = RunRecord(command="compare", inputs=inputs_record({"households": households, "state": state}),
                           variants=[{"name": n, "file": v.source, "sha256": v.sha256} for v, n in zip(variants, names)],
                           statuses={n: records[n]["status"] for n in names}, kind="koppeling-compare",
                           outputs=sorted(["comparison.csv", "movers.csv", *written, "run.json"]), lang=lang)
        record.timings_seconds = {"total": time.perf_counter() - t0}
        record.write(tmp / "run.json")
    return table
