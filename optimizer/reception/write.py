"""Reception stage ``write``: ``places.csv``, ``provinces.csv``, ``taakstelling_adjusted.csv``
(with verevening) and ``run.json``, the engine's one run record
(:class:`optimizer.core.runrecord.RunRecord`) with the reception sections added."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from optimizer.core.runrecord import RunRecord, inputs_record
from optimizer.core.tables import write_table
from optimizer.reception.extract import ReceptionResult

#: Columns that open places.csv, in this order; the others follow as extracted.
PLACES_COLUMNS_FIRST = ("gm_code", "gm_naam", "provincie_code", "provincie", "population", "key_share",
                        "statutory_share", "fair_share", "existing")
SIGN_CONVENTION = "payment_eur > 0: the gemeente receives; < 0: it pays (EUR per year)"


def run_record(res: ReceptionResult, command: str = "reception") -> RunRecord:
    """The run record: inputs with their hashes, the variant with all its settings, the solver's
    status, objective, bound and gap, timings; and the reception sections ``kind``,
    ``taakstelling_source``, ``solver`` (full record of the last solve), ``solves`` (every solve
    of a budget-neutral iteration), ``objective_terms``, ``summary`` and ``sign_convention``."""
    prep, r = res.prepared, res.result
    v = prep.variant
    return RunRecord(
        command=command,
        inputs=inputs_record(prep.files),
        variant={"name": v.name, "file": v.source, "sha256": v.sha256, "description": v.description,
                 "settings": v.model_dump(mode="json")},
        status=r.status.value, objective=r.objective, bound=r.bound, gap=r.gap,
        timings_seconds=dict(res.timings),
        kind="reception",
        taakstelling_source=prep.taakstelling_source or None,
        solver=r.record(),
        solves=res.solves,
        objective_terms=res.objective_terms,
        summary=res.summary,
        sign_convention=SIGN_CONVENTION,
    )


def places_table(res: ReceptionResult) -> pd.DataFrame:
    """``places.csv``: one row per gemeente, identifying columns first, fixed rounding."""
    places = res.places.reset_index().rename(columns={"index": "gm_code"})
    first = [c for c in PLACES_COLUMNS_FIRST if c in places.columns]
    places = places[first + [c for c in places.columns if c not in first]]
    for c in ("key_share", "statutory_share"):
        places[c] = places[c].round(8)
    for c in ("places_per_1000", "deviation_rel"):
        places[c] = places[c].round(4)
    places["payment_model_eur"] = places["payment_model_eur"].round(2)
    places["max_places"] = places["max_places"].replace(np.inf, np.nan)
    return places


def provinces_table(res: ReceptionResult) -> pd.DataFrame:
    """``provinces.csv``: one row per province."""
    provinces = res.provinces.reset_index()
    provinces["places_per_1000"] = provinces["places_per_1000"].round(4)
    return provinces


def write(res: ReceptionResult, out_dir: Path) -> list[Path]:
    """Stage ``write``: the tables and ``run.json`` into ``out_dir`` (which exists)."""
    out_dir = Path(out_dir)
    written = [write_table(places_table(res), out_dir / "places.csv")]
    written.append(write_table(provinces_table(res), out_dir / "provinces.csv"))
    if "taakstelling_adjusted" in res.places.columns:
        t = res.places[["gm_naam", "taakstelling_base", "verevening_delta", "taakstelling_adjusted"]].reset_index()
        t.insert(1, "period", res.prepared.variant.verevening.period)
        written.append(write_table(t, out_dir / "taakstelling_adjusted.csv"))
    written.append(run_record(res).write(out_dir / "run.json"))
    return written
