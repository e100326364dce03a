#!/usr/bin/env python
"""Build the embedded default dataset (``data/``) from public sources.

Usage::

    python scripts/build_dataset.py                      # raw files -> data/
    python scripts/build_dataset.py --raw DIR --out DIR  # other folders
    python scripts/build_dataset.py --source cbs         # fetch CBS StatLine (needs cbsodata + network)

Sources (see ``docs/data.md`` and ``../shared/data/raw/SOURCES.md``):

* ``gemeenten_2025_master.csv``: codes, names, province (CBS), AMR/COROP (spatially derived),
  population 1-1-2024 (CBS 70072NED), representative point (from the PDOK boundaries);
* ``kwb2021_indicatoren_op_indeling2024.csv``: CBS Kerncijfers wijken en buurten 2021
  (85039NED), re-aggregated to the 2024 division;
* ``gm_codes_and_provinces_2025_regioviewer.csv``: cross-check of province membership;
* ``cbs_bevolking_1jan2025_gemeenten.csv``: population 1-1-2025 (CBS 03759NED);
* ``taakstelling_vergunninghouders_landelijk_halfjaar.csv``: national taakstelling 2024-H1..2026-H1;
* ``crosswalk_gemeenten_2021_naar_2024.csv``: the herindelingen 2021 -> 2024 (division check and
  ``divisions.csv``; with ``--source cbs`` also the KWB re-aggregation).

The yearly update (docs/data.md, "Yearly update") is an edit of the constants below and nothing
else: a population date is a :class:`PopulationVintage` in :data:`POPULATION_VINTAGES`, a national
total a row of :data:`PUBLISHED_TAAKSTELLING`, a municipal division a :class:`Division` in
:data:`DIVISIONS` (with the crosswalk from the previous one when codes change).

Rules that shape the output:

* the KWB column ``niet_westerse_achtergrond_pct`` is **dropped** (no score may use ethnicity or
  migration background, docs/DOMAIN.md) and never fetched with ``--source cbs``;
* empty KWB cells are reported and filled by documented rules (:func:`fill_missing`);
* the two MODELLED files follow :class:`optimizer.data.dataset.HousingModel` and
  :class:`optimizer.data.dataset.ReceptionModel`;
* ``boundaries.geojson`` (:data:`optimizer.data.geo.EMBEDDED_BOUNDARIES_FILE`): the PDOK gemeente
  boundaries simplified as one coverage (shared borders stay shared) plus the province outlines
  dissolved from them, so that maps need no GIS stack and no raw file (:func:`build_boundaries`);
* output is deterministic: rows sorted by ``gm_code``, fixed rounding, largest-remainder
  integers with ties broken by key, ``\\n`` line ends;
* no raw file is copied into ``data/`` (the boundaries only simplified, attributed "Bron: CBS, PDOK"); the NOS/Spreidingswet figures
  are never written (licence unclear; :func:`optimizer.data.dataset.load_spreidingswet` reads them
  from a user-given path).
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from optimizer.core.paths import data_dir, raw_dir
from optimizer.core.periods import Period
from optimizer.core.tables import atomic_output_dir
from optimizer.data.dataset import (
    COA_REGION_BY_PROVINCE,
    DATA_FILES,
    GEMEENTEN_COLUMNS,
    HOUSING_COLUMNS,
    HOUSING_MODEL,
    RECEPTION_MODEL,
    HousingModel,
    ReceptionModel,
)
from optimizer.data.geo import EMBEDDED_BOUNDARIES_FILE
from optimizer.rules.dwellings import DWELLING_COLUMNS

# --------------------------------------------------------------------------------------------
# Constants: raw files, published facts, column mapping
# --------------------------------------------------------------------------------------------

RAW_MASTER = "gemeenten_2025_master.csv"
RAW_KWB = "kwb2021_indicatoren_op_indeling2024.csv"
RAW_PROVINCES = "gm_codes_and_provinces_2025_regioviewer.csv"
RAW_TAAKSTELLING = "taakstelling_vergunninghouders_landelijk_halfjaar.csv"
RAW_CROSSWALK = "crosswalk_gemeenten_2021_naar_2024.csv"
RAW_BOUNDARIES = "gemeenten_2024_gegeneraliseerd_pdok.geojson"
#: Simplification of the boundaries: the coverage tolerance (metres, in RD New) and the decimals
#: of the lon/lat written (4 decimals: about 7 m by 11 m).
BOUNDARY_TOLERANCE_M = 250.0
BOUNDARY_DECIMALS = 4
RAW_POPULATION_2025 = "cbs_bevolking_1jan2025_gemeenten.csv"


@dataclass(frozen=True)
class Division:
    """A CBS municipal division (gemeentelijke indeling) on 1 January of ``year``.

    ``crosswalk`` is the raw file that maps every code of the *previous* division of
    :data:`DIVISIONS` to this one (columns ``gm_code_<previous year>`` and ``gm_code_<year>``,
    optional ``gm_naam_<year>`` and ``herindeling_per_1_jan``; whole gemeenten only, the format
    of ``crosswalk_gemeenten_2021_naar_2024.csv``); ``None`` means the codes did not change.
    """

    year: int
    gemeenten: int
    source: str
    crosswalk: str | None = None


#: The divisions the dataset knows, oldest first. ``data/`` is in the last one (all files keyed by
#: its codes); counts of an older division (e.g. a population) are summed into it through the
#: crosswalks (:func:`to_division`).
DIVISIONS: tuple[Division, ...] = (
    Division(2021, 352, "CBS gemeentelijke indeling 2021: the division of KWB 2021 (85039NED); "
                        "its indicators are re-aggregated to 2024"),
    Division(2024, 342, "CBS gemeentelijke indeling 2024 (70072NED); herindelingen of 1 January 2022 and "
                        "2023 as public CBS facts (SOURCES.md file 10)", crosswalk=RAW_CROSSWALK),
    Division(2025, 342, "CBS gemeentelijke indeling 2025: no herindelingen on 1 January 2025 "
                        "(03759NED 2025 codes = 2024 codes, checked)"),
    Division(2026, 342, "CBS gemeentelijke indeling 2026: no herindelingen on 1 January 2026 "
                        "(SOURCES.md file 12; DOMAIN.md, Data vintages)"),
)


@dataclass(frozen=True)
class PopulationVintage:
    """Population per gemeente on one reference date (1 January), as the build reads it.

    ``raw_file``/``column``: where the figures are (``gm_code`` plus that column); ``national``:
    the published CBS national total the figures must sum to; ``division``: the municipal
    division of the file (summed into the dataset division when older); ``source``: the citation
    written to ``population_sources.csv``.
    """

    reference_date: str
    raw_file: str
    column: str
    national: int
    division: int
    source: str


#: Published facts the build checks (CBS 70072NED; CBS province membership 2024/2025).
NATIONAL_POPULATION_2024 = 17_942_942
N_GEMEENTEN = DIVISIONS[-1].gemeenten

#: Population reference dates of ``population.csv`` (a half-year uses 1 January of the preceding
#: year, Huisvestingswet art. 29(1)). Add next year's CBS figures here.
POPULATION_VINTAGES: tuple[PopulationVintage, ...] = (
    PopulationVintage("2024-01-01", RAW_MASTER, "bevolking_2024", NATIONAL_POPULATION_2024, 2024,
                      "CBS StatLine 70072NED Regionale kerncijfers Nederland (TotaleBevolking, 2024JJ00), "
                      "via gemeenten_2025_master.csv; CC BY 4.0, Bron: CBS"),
    PopulationVintage("2025-01-01", RAW_POPULATION_2025, "bevolking_2025_01_01", 18_044_027, 2025,
                      "CBS StatLine 03759NED Bevolking op 1 januari (BevolkingOp1Januari, 2025JJ00), "
                      "via DennisHedegreen/netherlands-politics-data; CC BY 4.0, Bron: CBS"),
)
#: Largest plausible change of a gemeente's population between two reference dates (same
#: division): a larger one is taken for a transcription error.
MAX_POPULATION_CHANGE = 0.10
PROVINCE_COUNTS = {
    "Groningen": 10, "Friesland": 18, "Drenthe": 12, "Overijssel": 25, "Flevoland": 6,
    "Gelderland": 51, "Utrecht": 26, "Noord-Holland": 44, "Zuid-Holland": 50, "Zeeland": 13,
    "Noord-Brabant": 56, "Limburg": 31,
}

#: gemeenten_2025_master.csv column -> gemeenten.csv column.
MASTER_COLUMNS = {
    "gm_code": "gm_code", "gm_naam": "gm_naam", "provincie_code": "provincie_code",
    "provincie": "provincie", "amr_code": "amr_code", "amr_naam": "amr_naam",
    "corop_code": "corop_code", "corop_naam": "corop_naam", "bevolking_2024": "population_2024",
    "lon_repr_point": "lon", "lat_repr_point": "lat",
}

#: KWB 2021 (re-aggregated, Dutch names) -> gemeenten.csv column.
KWB_COLUMNS = {
    "oppervlakte_land_km2": "land_area_km2",
    "oppervlakte_water_km2": "water_area_km2",
    "gem_huishoudensgrootte": "avg_household_size",
    "huishoudens_2021_schatting": "households_est_2021",
    "eenpersoonshuishoudens_pct": "single_person_households_pct",
    "koopwoningen_pct": "owner_occupied_pct",
    "huurwoningen_pct": "rental_pct",
    "huurwoningen_corporatie_pct": "corporation_rental_pct",
    "eengezinswoningen_pct": "single_family_pct",
    "meergezinswoningen_pct": "multi_family_pct",
    "onbewoonde_woningen_pct": "vacancy_pct",
    "gem_woz_waarde_x1000eur": "avg_woz_keur",
    "nettoarbeidsparticipatie_pct": "labour_participation_pct",
    "ww_uitkeringen_per_100_inwoners": "ww_per_100_inhabitants",
    "bijstand_per_1000_inwoners": "bijstand_per_1000_inhabitants",
    "ao_uitkeringen_per_1000_inwoners": "ao_per_1000_inhabitants",
    "huishoudens_laag_inkomen_pct": "low_income_households_pct",
    "gem_inkomen_per_inwoner_x1000eur": "income_per_inhabitant_keur",
    "opleiding_hoog_pct": "education_high_pct",
    "opleiding_laag_pct": "education_low_pct",
    "mate_van_stedelijkheid_1_5": "urbanity_1_5",
    "omgevingsadressendichtheid_per_km2": "address_density_km2",
    "bedrijfsvestigingen_per_1000_inw": "businesses_per_1000",
    "vestigingen_landbouw_pct": "sector_agriculture_pct",
    "vestigingen_nijverheid_energie_pct": "sector_industry_energy_pct",
    "vestigingen_handel_horeca_pct": "sector_trade_hospitality_pct",
    "vestigingen_vervoer_ict_pct": "sector_transport_ict_pct",
    "vestigingen_financieel_vastgoed_pct": "sector_finance_real_estate_pct",
    "vestigingen_zakelijke_dienstverlening_pct": "sector_business_services_pct",
    "vestigingen_overheid_onderwijs_zorg_pct": "sector_public_education_health_pct",
    "vestigingen_cultuur_recreatie_overig_pct": "sector_culture_recreation_other_pct",
}

#: KWB columns deliberately NOT carried into data/ (and why).
KWB_EXCLUDED = {
    "niet_westerse_achtergrond_pct": "migration background: no score may use ethnicity (DOMAIN.md)",
    "gm_naam": "names come from the CBS population table (master file)",
    "samengesteld_uit_2021": "merger provenance, documented in docs/data.md",
    "bevolking_2021": "superseded by population 1-1-2024",
}

SECTOR_COLUMNS = [c for c in KWB_COLUMNS.values() if c.startswith("sector_")]

#: Decimals per gemeenten.csv float column (fixed rounding for deterministic output).
DECIMALS = {"lon": 5, "lat": 5}
DEFAULT_DECIMALS = 2

#: National taakstelling before 2024 (docs/DOMAIN.md; not in the raw folder).
DOMAIN_SOURCE = ("Kamervragen 2024Z12156; Staatscourant notices as cited by public trackers "
                 "(docs/DOMAIN.md); not independently verified")
DOMAIN_TAAKSTELLING = {
    "2021-H1": 13_500, "2021-H2": 11_000, "2022-H1": 10_000, "2022-H2": 13_500,
    "2023-H1": 21_200, "2023-H2": 17_600,
    # also in DOMAIN.md; used only to cross-check the raw file
    "2024-H1": 18_750, "2024-H2": 17_000, "2025-H1": 15_000, "2025-H2": 13_000, "2026-H1": 15_000,
}
DOMAIN_NOTES = {"2025-H1": "first set at 17,700, later lowered to 15,000 (docs/DOMAIN.md)"}
#: National totals published after the raw file: period -> (persons, source). Add the next
#: half-year here when the Minister publishes it (Staatscourant); the build checks that it does
#: not contradict the raw file or DOMAIN.md and that the periods leave no gap.
PUBLISHED_TAAKSTELLING: dict[str, tuple[int, str]] = {}


class BuildError(RuntimeError):
    """A raw input contradicts a published fact or another raw input."""


@dataclass
class BuildLog:
    """What the build did, printed as it goes (missing values, fills, calibration)."""

    echo: Callable[[str], None] | None = print
    lines: list[str] = field(default_factory=list)
    fills: list[dict[str, object]] = field(default_factory=list)

    def __call__(self, text: str) -> None:
        self.lines.append(text)
        if self.echo is not None:
            self.echo(text)


# --------------------------------------------------------------------------------------------
# Rounding
# --------------------------------------------------------------------------------------------

def largest_remainder(values: Sequence[float], total: int, keys: Sequence[str]) -> np.ndarray:
    """Integers ``n_i`` with ``floor(v_i) <= n_i <= floor(v_i) + 1`` and ``sum n_i = total``.

    Hamilton / largest-remainder method: start from the floors and give one extra unit to the
    ``total - sum(floors)`` entries with the largest fractional parts; ties (fractions compared
    after rounding to 9 decimals) go to the smallest key. Deterministic.
    """
    v = np.asarray(values, dtype=float)
    if (v < 0).any():
        raise ValueError("largest_remainder needs non-negative values")
    floors = np.floor(v + 1e-9)
    short = int(total) - int(floors.sum())
    if short < 0 or short > len(v):
        raise ValueError(f"cannot round {v.sum():.6f} to {total} with largest remainders")
    frac = np.round(v - floors, 9)
    order = sorted(range(len(v)), key=lambda i: (-frac[i], keys[i]))
    out = floors.astype(np.int64)
    for i in order[:short]:
        out[i] += 1
    return out


def controlled_round(x: np.ndarray, column_totals: Sequence[int], row_keys: Sequence[str]) -> np.ndarray:
    """Round a non-negative matrix to integers keeping both margins close (two-way rounding).

    Every cell goes to its floor or its ceiling; every column sums to ``column_totals`` (given,
    e.g. by :func:`largest_remainder` of the unrounded column sums); every row sum is the floor
    or the ceiling of its unrounded row sum. Among those roundings the one that rounds up the
    largest fractional parts (maximum sum of rounded-up remainders) is chosen: a transportation
    problem whose constraint matrix is totally unimodular, solved as an LP with HiGHS. A tiny
    perturbation by row key and column order makes the optimum unique, hence deterministic.
    If no rounding meets the column totals exactly, columns may also take floor/ceiling.
    """
    from scipy.optimize import linprog
    from scipy.sparse import lil_matrix, vstack

    x = np.asarray(x, dtype=float)
    floors = np.floor(x + 1e-9)
    rem = np.round(x - floors, 9)
    cells = [(i, k) for i in range(x.shape[0]) for k in range(x.shape[1]) if rem[i, k] > 0]
    if not cells:
        return floors.astype(np.int64)
    rank = {key: r for r, key in enumerate(sorted(range(x.shape[0]), key=lambda i: row_keys[i]))}
    n_rows, n_cols = x.shape
    cost = np.array([-(rem[i, k] + 1e-7 * (1 - (rank[i] * n_cols + k) / (n_rows * n_cols))) for i, k in cells])
    row_need = x.sum(axis=1) - floors.sum(axis=1)
    row_lo, row_hi = np.floor(row_need + 1e-9), np.ceil(row_need - 1e-9)
    col_target = np.asarray(column_totals, dtype=float) - floors.sum(axis=0)
    col_need = x.sum(axis=0) - floors.sum(axis=0)

    a_rows = lil_matrix((n_rows, len(cells)))
    a_cols = lil_matrix((n_cols, len(cells)))
    for j, (i, k) in enumerate(cells):
        a_rows[i, j] = 1
        a_cols[k, j] = 1
    a_ub = vstack([a_rows, -a_rows]).tocsr()
    b_ub = np.concatenate([row_hi, -row_lo])
    result = linprog(cost, A_ub=a_ub, b_ub=b_ub, A_eq=a_cols.tocsr(), b_eq=col_target,
                     bounds=(0, 1), method="highs")
    if result.status != 0:  # relax: column sums to floor/ceiling, grand total exact
        a_ub = vstack([a_rows, -a_rows, a_cols, -a_cols]).tocsr()
        b_ub = np.concatenate([row_hi, -row_lo, np.ceil(col_need - 1e-9), -np.floor(col_need + 1e-9)])
        total = np.ones((1, len(cells)))
        result = linprog(cost, A_ub=a_ub, b_ub=b_ub, A_eq=total, b_eq=[col_target.sum()],
                         bounds=(0, 1), method="highs")
        if result.status != 0:
            raise BuildError(f"controlled rounding failed: {result.message}")
    up = np.rint(result.x).astype(np.int64)
    if np.abs(result.x - up).max() > 1e-6:
        raise BuildError("controlled rounding LP returned a fractional vertex")
    out = floors.astype(np.int64)
    for j, (i, k) in enumerate(cells):
        out[i, k] += up[j]
    return out


# --------------------------------------------------------------------------------------------
# Inputs: raw files or CBS StatLine
# --------------------------------------------------------------------------------------------

def _read_raw(raw: Path, name: str, **kwargs: object) -> pd.DataFrame:
    path = raw / name
    if not path.exists():
        raise BuildError(f"raw file missing: {path} (see ../shared/data/raw/SOURCES.md, or use --raw DIR)")
    kwargs.setdefault("dtype", {"gm_code": str})
    return pd.read_csv(path, **kwargs)  # type: ignore[arg-type]


def load_raw_inputs(raw: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The master table and the KWB 2021 indicators (2024 division) from the raw folder."""
    return _read_raw(raw, RAW_MASTER), _read_raw(raw, RAW_KWB)


#: KWB 2021 (85039NED) StatLine columns used by ``--source cbs``. The non-western background
#: column (NietWestersTotaal_18) is deliberately absent.
CBS_KWB_FIELDS = (
    "WijkenEnBuurten", "SoortRegio_2", "AantalInwoners_5", "HuishoudensTotaal_28",
    "Eenpersoonshuishoudens_29", "GemiddeldeHuishoudensgrootte_32", "GemiddeldeWOZWaardeVanWoningen_35",
    "PercentageEengezinswoning_36", "PercentageMeergezinswoning_37", "PercentageOnbewoond_39",
    "Koopwoningen_40", "HuurwoningenTotaal_41", "InBezitWoningcorporatie_42",
    "OpleidingsniveauLaag_64", "OpleidingsniveauMiddelbaar_65", "OpleidingsniveauHoog_66",
    "Nettoarbeidsparticipatie_67", "GemiddeldInkomenPerInwoner_72", "HuishoudensMetEenLaagInkomen_78",
    "PersonenPerSoortUitkeringBijstand_83", "PersonenPerSoortUitkeringAO_84",
    "PersonenPerSoortUitkeringWW_85", "BedrijfsvestigingenTotaal_91", "ALandbouwBosbouwEnVisserij_92",
    "BFNijverheidEnEnergie_93", "GIHandelEnHoreca_94", "HJVervoerInformatieEnCommunicatie_95",
    "KLFinancieleDienstenOnroerendGoed_96", "MNZakelijkeDienstverlening_97",
    "OQOverheidOnderwijsEnZorg_98", "RUCultuurRecreatieOverigeDiensten_99",
    "OppervlakteLand_112", "OppervlakteWater_113", "MateVanStedelijkheid_116",
    "Omgevingsadressendichtheid_117",
)
CBS_SECTORS = {
    "vestigingen_landbouw_pct": "ALandbouwBosbouwEnVisserij_92",
    "vestigingen_nijverheid_energie_pct": "BFNijverheidEnEnergie_93",
    "vestigingen_handel_horeca_pct": "GIHandelEnHoreca_94",
    "vestigingen_vervoer_ict_pct": "HJVervoerInformatieEnCommunicatie_95",
    "vestigingen_financieel_vastgoed_pct": "KLFinancieleDienstenOnroerendGoed_96",
    "vestigingen_zakelijke_dienstverlening_pct": "MNZakelijkeDienstverlening_97",
    "vestigingen_overheid_onderwijs_zorg_pct": "OQOverheidOnderwijsEnZorg_98",
    "vestigingen_cultuur_recreatie_overig_pct": "RUCultuurRecreatieOverigeDiensten_99",
}
#: Re-aggregation weights to the 2024 division (rule of SOURCES.md file 9).
PERSON_WEIGHTED = (
    "nettoarbeidsparticipatie_pct", "ww_uitkeringen_per_100_inwoners", "bijstand_per_1000_inwoners",
    "ao_uitkeringen_per_1000_inwoners", "gem_inkomen_per_inwoner_x1000eur", "opleiding_hoog_pct",
    "opleiding_laag_pct", "mate_van_stedelijkheid_1_5", "omgevingsadressendichtheid_per_km2",
)
HOUSEHOLD_WEIGHTED = (
    "eenpersoonshuishoudens_pct", "koopwoningen_pct", "huurwoningen_pct", "huurwoningen_corporatie_pct",
    "eengezinswoningen_pct", "meergezinswoningen_pct", "onbewoonde_woningen_pct",
    "gem_woz_waarde_x1000eur", "huishoudens_laag_inkomen_pct",
)
SUMMED = ("bevolking_2021", "huishoudens_2021_schatting", "oppervlakte_land_km2", "oppervlakte_water_km2")


def _cbs_rows(cbsodata: object, table: str, select: Sequence[str], filters: str) -> list[dict]:
    """Rows of a StatLine table with dimension *keys* (``download_data`` keeps keys; ``get_data``
    would replace them by titles)."""
    try:
        data = cbsodata.download_data(table, typed=True, select=list(select), filters=filters)  # type: ignore[attr-defined]
    except Exception as exc:  # network, HTTP or JSON errors
        raise SystemExit(f"could not download CBS table {table}: {exc}\n"
                         "Are you offline? Build from the raw files instead: --source raw [--raw DIR]") from None
    rows = data.get("TypedDataSet") or data.get("UntypedDataSet") or []
    if not rows:
        raise SystemExit(f"CBS table {table} returned no rows for filter {filters!r}")
    return rows


def fetch_cbs_inputs(raw: Path, log: BuildLog) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Population 1-1-2024 (70072NED) and KWB 2021 (85039NED) from CBS StatLine.

    Requires the ``cbsodata`` package and network. Regions (province, AMR, COROP) and the
    representative points still come from the raw master file (they are derived from the PDOK
    boundaries, not from StatLine), and the 2021->2024 crosswalk from the raw folder.
    The KWB indicators are derived exactly as in the raw file 9 and re-aggregated with the same
    weights (:func:`aggregate_kwb_to_2024`).
    """
    try:
        import cbsodata  # lazy: optional dependency
    except ImportError:
        raise SystemExit("--source cbs needs the 'cbsodata' package: pip install cbsodata "
                         "(or build from the raw files: --source raw)") from None
    master = _read_raw(raw, RAW_MASTER)
    crosswalk = _read_raw(raw, RAW_CROSSWALK, dtype=str)

    log("fetching CBS 70072NED (population 1-1-2024) ...")
    pop_rows = _cbs_rows(cbsodata, "70072NED", ["RegioS", "Perioden", "TotaleBevolking_1"],
                         "Perioden eq '2024JJ00' and startswith(RegioS,'GM')")
    pop = {str(r["RegioS"]).strip(): r["TotaleBevolking_1"] for r in pop_rows}
    missing = sorted(set(master["gm_code"]) - set(pop))
    if missing:
        raise SystemExit(f"70072NED has no 2024 population for {len(missing)} gemeenten, e.g. {missing[:5]}")
    master = master.assign(bevolking_2024=[int(pop[c]) for c in master["gm_code"]])

    log("fetching CBS 85039NED (Kerncijfers wijken en buurten 2021) ...")
    kwb_rows = _cbs_rows(cbsodata, "85039NED", CBS_KWB_FIELDS, "startswith(WijkenEnBuurten,'GM')")
    k = pd.DataFrame(kwb_rows)
    k = k[k["SoortRegio_2"].astype(str).str.strip() == "Gemeente"].copy()
    k["gm_code_2021"] = k["WijkenEnBuurten"].astype(str).str.strip()
    kwb21 = kwb_indicators_from_statline(k.set_index("gm_code_2021"))
    return master, aggregate_kwb_to_2024(kwb21, crosswalk)


def kwb_indicators_from_statline(k: pd.DataFrame) -> pd.DataFrame:
    """KWB 2021 StatLine columns -> the indicators of raw file 9 (2021 division).

    Counts become rates exactly as the nlstat pipeline did (SOURCES.md file 8): benefits per
    inhabitant, education shares of the three levels, sector shares of all establishments,
    areas from hectares to km2. A zero stays zero here (the nlstat pipeline turned zeros into
    empty cells, see :func:`fill_missing`).
    """
    num = k.apply(pd.to_numeric, errors="coerce")
    pop = num["AantalInwoners_5"]
    edu = num[["OpleidingsniveauLaag_64", "OpleidingsniveauMiddelbaar_65", "OpleidingsniveauHoog_66"]].sum(axis=1)
    est = num["BedrijfsvestigingenTotaal_91"]
    out = pd.DataFrame(index=k.index)
    out["bevolking_2021"] = pop
    out["gem_huishoudensgrootte"] = num["GemiddeldeHuishoudensgrootte_32"]
    out["huishoudens_2021_schatting"] = pop / out["gem_huishoudensgrootte"]  # estimate, as in raw file 9
    out["eenpersoonshuishoudens_pct"] = num["Eenpersoonshuishoudens_29"] / num["HuishoudensTotaal_28"] * 100
    out["koopwoningen_pct"] = num["Koopwoningen_40"]
    out["huurwoningen_pct"] = num["HuurwoningenTotaal_41"]
    out["huurwoningen_corporatie_pct"] = num["InBezitWoningcorporatie_42"]
    out["eengezinswoningen_pct"] = num["PercentageEengezinswoning_36"]
    out["meergezinswoningen_pct"] = num["PercentageMeergezinswoning_37"]
    out["onbewoonde_woningen_pct"] = num["PercentageOnbewoond_39"]
    out["gem_woz_waarde_x1000eur"] = num["GemiddeldeWOZWaardeVanWoningen_35"]
    out["nettoarbeidsparticipatie_pct"] = num["Nettoarbeidsparticipatie_67"]
    out["ww_uitkeringen_per_100_inwoners"] = num["PersonenPerSoortUitkeringWW_85"] / pop * 100
    out["bijstand_per_1000_inwoners"] = num["PersonenPerSoortUitkeringBijstand_83"] / pop * 1000
    out["ao_uitkeringen_per_1000_inwoners"] = num["PersonenPerSoortUitkeringAO_84"] / pop * 1000
    out["huishoudens_laag_inkomen_pct"] = num["HuishoudensMetEenLaagInkomen_78"]
    out["gem_inkomen_per_inwoner_x1000eur"] = num["GemiddeldInkomenPerInwoner_72"]
    out["opleiding_hoog_pct"] = num["OpleidingsniveauHoog_66"] / edu * 100
    out["opleiding_laag_pct"] = num["OpleidingsniveauLaag_64"] / edu * 100
    out["mate_van_stedelijkheid_1_5"] = num["MateVanStedelijkheid_116"]
    out["omgevingsadressendichtheid_per_km2"] = num["Omgevingsadressendichtheid_117"]
    out["bedrijfsvestigingen_per_1000_inw"] = est / pop * 1000
    for name, col in CBS_SECTORS.items():
        out[name] = num[col] / est * 100
    out["oppervlakte_land_km2"] = num["OppervlakteLand_112"] / 100  # hectares -> km2
    out["oppervlakte_water_km2"] = num["OppervlakteWater_113"] / 100
    return out


def aggregate_kwb_to_2024(kwb21: pd.DataFrame, crosswalk: pd.DataFrame) -> pd.DataFrame:
    """Re-aggregate KWB 2021 indicators (index gm_code_2021) to the 2024 division.

    Rule (SOURCES.md file 9): counts and areas are summed; person-based rates (incl. urbanity
    and address density) are population-weighted; household/dwelling-based shares (incl. WOZ)
    are weighted by estimated households; sector shares by the estimated number of
    establishments; average household size = sum population / sum households; businesses per
    1000 = sum establishments / sum population. Missing parts are left out of a weighted mean;
    a merged gemeente with no value in any part stays missing.
    """
    cw = crosswalk.set_index("gm_code_2021")["gm_code_2024"]
    k = kwb21.copy()
    missing = sorted(set(k.index) - set(cw.index))
    if missing:
        raise BuildError(f"KWB 2021 codes not in the crosswalk: {missing}")
    k["gm_code"] = cw.reindex(k.index).to_numpy()
    k["_establishments"] = k["bedrijfsvestigingen_per_1000_inw"] * k["bevolking_2021"] / 1000

    key = k["gm_code"]

    def weighted(col: str, weight: str) -> pd.Series:
        ok = k[col].notna() & k[weight].notna()
        num = (k[col] * k[weight]).where(ok).groupby(key).sum()
        den = k[weight].where(ok).groupby(key).sum()
        return (num / den).where(den > 0)

    grouped = k.groupby(key, sort=True)
    out = pd.DataFrame(index=pd.Index(sorted(set(key)), name="gm_code"))
    out["samengesteld_uit_2021"] = grouped.apply(
        lambda g: ";".join(sorted(g.index)) if len(g) > 1 else "", include_groups=False)
    for col in SUMMED:
        out[col] = grouped[col].sum(min_count=1)
    for col in PERSON_WEIGHTED:
        out[col] = weighted(col, "bevolking_2021")
    for col in HOUSEHOLD_WEIGHTED:
        out[col] = weighted(col, "huishoudens_2021_schatting")
    for col in CBS_SECTORS:
        out[col] = weighted(col, "_establishments")
    out["gem_huishoudensgrootte"] = grouped["bevolking_2021"].sum() / grouped["huishoudens_2021_schatting"].sum()
    out["bedrijfsvestigingen_per_1000_inw"] = (grouped["_establishments"].sum()
                                               / grouped["bevolking_2021"].sum() * 1000)
    out = out.reset_index().round(2)
    out["huishoudens_2021_schatting"] = out["huishoudens_2021_schatting"].round()
    return out


# --------------------------------------------------------------------------------------------
# gemeenten.csv
# --------------------------------------------------------------------------------------------

def build_gemeenten(master: pd.DataFrame, kwb: pd.DataFrame, raw: Path, log: BuildLog) -> pd.DataFrame:
    """One row per gemeente with the documented columns, checked against published facts."""
    if master["gm_code"].duplicated().any() or len(master) != N_GEMEENTEN:
        raise BuildError(f"master file must hold {N_GEMEENTEN} unique gm_codes, found {master['gm_code'].nunique()}")
    if set(kwb["gm_code"]) != set(master["gm_code"]) or kwb["gm_code"].duplicated().any():
        raise BuildError("KWB 2024-division file and master file do not hold the same gm_codes")

    gem = master[list(MASTER_COLUMNS)].rename(columns=MASTER_COLUMNS)
    dropped = [c for c in kwb.columns if c in KWB_EXCLUDED]
    for c in dropped:
        log(f"  dropped KWB column {c!r}: {KWB_EXCLUDED[c]}")
    unknown = [c for c in kwb.columns if c not in KWB_COLUMNS and c not in KWB_EXCLUDED and c != "gm_code"]
    if unknown:
        raise BuildError(f"unmapped KWB columns (map or exclude them explicitly): {unknown}")
    if "gm_naam" in kwb.columns:
        names = kwb.set_index("gm_code")["gm_naam"].reindex(gem["gm_code"]).to_numpy()
        diff = [(c, a, b) for c, a, b in zip(gem["gm_code"], gem["gm_naam"], names) if a != b]
        for c, a, b in diff:
            log(f"  name differs between master and KWB for {c}: {a!r} vs {b!r} (master kept)")
    kw = kwb.set_index("gm_code")[list(KWB_COLUMNS)].rename(columns=KWB_COLUMNS)
    gem = gem.join(kw, on="gm_code")

    # province: cross-check with the regioviewer list (SOURCES.md file 5) and the published counts
    prov_path = raw / RAW_PROVINCES
    if prov_path.exists():
        pv = pd.read_csv(prov_path, sep=";", dtype=str).set_index("GM_code")["province"]
        bad = [(c, p, pv.get(c)) for c, p in zip(gem["gm_code"], gem["provincie"]) if pv.get(c) != p]
        if bad:
            raise BuildError(f"province differs from {RAW_PROVINCES}: {bad[:5]}")
        log(f"  province membership agrees with {RAW_PROVINCES}")
    counts = gem["provincie"].value_counts().to_dict()
    if counts != PROVINCE_COUNTS:
        raise BuildError(f"province counts {counts} differ from the CBS counts {PROVINCE_COUNTS}")
    gem.insert(list(gem.columns).index("provincie") + 1, "coa_region",
               gem["provincie"].map(COA_REGION_BY_PROVINCE))

    total = int(gem["population_2024"].sum())
    if total != NATIONAL_POPULATION_2024:
        raise BuildError(f"population 1-1-2024 sums to {total:,}, CBS national total is {NATIONAL_POPULATION_2024:,}")
    log(f"  population 1-1-2024 sums to {total:,} (= CBS national total)")

    gem = fill_missing(gem, master, log)
    gem = gem.sort_values("gm_code").reset_index(drop=True)
    for c in GEMEENTEN_COLUMNS:
        if c in ("population_2024", "households_est_2021"):
            gem[c] = gem[c].round().astype("int64")
        elif pd.api.types.is_float_dtype(gem[c]):
            gem[c] = gem[c].astype(float).round(DECIMALS.get(c, DEFAULT_DECIMALS))
    return gem[list(GEMEENTEN_COLUMNS)]


def fill_missing(gem: pd.DataFrame, master: pd.DataFrame, log: BuildLog) -> pd.DataFrame:
    """Report every empty indicator cell and fill it by an explicit rule (docs/data.md).

    1. ``water_area_km2`` empty -> 0.0. The source pipeline (nlstat, SOURCES.md file 8) wrote
       zero areas as empty (``if area_water_ha``): no zero occurs in that column. Cross-check:
       generalised polygon area - land area is logged (should be near 0).
    2. ``sector_agriculture_pct`` empty -> ``max(0, 100 - sum of the seven other sector
       shares)``: sector shares add up to 100 and the same pipeline wrote zero counts as empty.
    3. any other empty indicator -> median of that column over the gemeenten of the same
       province (non-empty values).
    """
    gem = gem.copy()
    indicators = [c for c in KWB_COLUMNS.values()]
    missing = gem[indicators].isna()
    n = int(missing.to_numpy().sum())
    log(f"  KWB 2021 empty cells: {n}")
    if n == 0:
        return gem
    area = master.set_index("gm_code")["area_km2_generalised_polygon"]
    for idx, col in sorted(zip(*np.nonzero(missing.to_numpy())), key=lambda rc: (gem.loc[rc[0], "gm_code"], rc[1])):
        column = indicators[col]
        code, name, prov = gem.loc[idx, "gm_code"], gem.loc[idx, "gm_naam"], gem.loc[idx, "provincie"]
        if column == "water_area_km2":
            value = 0.0
            residual = float(area[code] - gem.loc[idx, "land_area_km2"])
            rule = (f"source pipeline wrote zero areas as empty; generalised polygon area - land "
                    f"area = {residual:+.2f} km2")
            if abs(residual) > 1.0:
                rule += " WARNING: residual > 1 km2, check this gemeente"
        elif column == "sector_agriculture_pct":
            others = [c for c in SECTOR_COLUMNS if c != column]
            rest = float(gem.loc[idx, others].sum())
            value = round(max(0.0, 100.0 - rest), 2)
            rule = f"100 - sum of the other sector shares ({rest:.2f}), clipped at 0"
        else:
            peers = gem.loc[(gem["provincie"] == prov) & gem[column].notna(), column]
            value = round(float(peers.median()), 2)
            rule = f"median of {len(peers)} gemeenten in {prov}"
        gem.loc[idx, column] = value
        log.fills.append({"gm_code": code, "gm_naam": name, "column": column, "value": value, "rule": rule})
        log(f"    {code} {name}: {column} empty -> {value} ({rule})")
    return gem


# --------------------------------------------------------------------------------------------
# divisions.csv, population.csv, population_sources.csv, taakstelling_national.csv
# --------------------------------------------------------------------------------------------

def read_crosswalk(raw: Path, division: Division, previous: Division) -> pd.DataFrame:
    """The crosswalk of ``division`` (codes of ``previous`` -> codes of ``division``), checked:
    every old code once, the division sizes as published."""
    old, new = f"gm_code_{previous.year}", f"gm_code_{division.year}"
    cw = _read_raw(raw, str(division.crosswalk), dtype=str)
    if not {old, new} <= set(cw.columns):
        raise BuildError(f"{division.crosswalk} needs the columns {old} and {new} (found {list(cw.columns)})")
    if cw[old].duplicated().any():
        raise BuildError(f"{division.crosswalk}: {old} codes occur more than once")
    sizes = (cw[old].nunique(), cw[new].nunique())
    if sizes != (previous.gemeenten, division.gemeenten):
        raise BuildError(f"{division.crosswalk} maps {sizes[0]} to {sizes[1]} gemeenten; the divisions "
                         f"{previous.year} and {division.year} have {previous.gemeenten} and {division.gemeenten}")
    return cw


def _crosswalks(raw: Path, after: int) -> list[tuple[Division, pd.DataFrame]]:
    """The divisions later than ``after`` whose codes changed, each with its crosswalk."""
    return [(div, read_crosswalk(raw, div, prev)) for prev, div in zip(DIVISIONS, DIVISIONS[1:])
            if div.year > after and div.crosswalk is not None]


def to_division(values: pd.Series, division: int, raw: Path) -> pd.Series:
    """Counts per gemeente of ``division`` (index gm_code) summed into the dataset division
    through the crosswalks of the later divisions (whole gemeenten; the total is unchanged)."""
    for div, cw in _crosswalks(raw, division):
        prev = DIVISIONS[DIVISIONS.index(div) - 1].year
        mapping = cw.set_index(f"gm_code_{prev}")[f"gm_code_{div.year}"]
        unknown = sorted(set(values.index) - set(mapping.index))
        if unknown:
            raise BuildError(f"codes not in {div.crosswalk}: {unknown[:5]}")
        values = values.groupby(mapping.reindex(values.index).to_numpy()).sum()
    values.index.name = "gm_code"
    return values.sort_index()


def herindelingen(div: Division, previous: Division, cw: pd.DataFrame | None) -> str:
    """The herindelingen between two divisions in words, from the crosswalk."""
    if cw is None:
        return f"none: the codes of {previous.year}"
    old, new = f"gm_code_{previous.year}", f"gm_code_{div.year}"
    old_name, new_name = f"gm_naam_{previous.year}", f"gm_naam_{div.year}"
    when = cw["herindeling_per_1_jan"] if "herindeling_per_1_jan" in cw else pd.Series("", index=cw.index)
    parts = []
    for code, group in cw.groupby(new, sort=True):
        if len(group) == 1 and group[old].iloc[0] == code:
            continue
        names = group[old_name] if old_name in group else group[old]
        target = f"{group[new_name].iloc[0] if new_name in group else code} ({code})"
        year = ", ".join(sorted(set(when[group.index].dropna().astype(str)) - {""}))
        parts.append((year, f"{' + '.join(names)} -> {target}"))
    by_year = {y: "; ".join(t for yy, t in parts if yy == y) for y in sorted({y for y, _ in parts})}
    return " | ".join(f"1 January {y}: {t}" if y else t for y, t in by_year.items())


def build_divisions(master: pd.DataFrame, raw: Path, log: BuildLog) -> pd.DataFrame:
    """One row per known division: size, herindelingen since the previous one, crosswalk, source.

    Checks: the years ascend, each crosswalk matches the sizes of its two divisions, and the
    codes of the last crosswalk are exactly the gemeenten of the master file (``data/`` is keyed
    by them; later divisions without a crosswalk keep them).
    """
    years = [d.year for d in DIVISIONS]
    if years != sorted(set(years)):
        raise BuildError(f"DIVISIONS must be in ascending years without repeats: {years}")
    if master["gm_code"].nunique() != N_GEMEENTEN:
        raise BuildError(f"the master file has {master['gm_code'].nunique()} gemeenten, division "
                         f"{DIVISIONS[-1].year} {N_GEMEENTEN}")
    crosswalks = {div.year: cw for div, cw in _crosswalks(raw, DIVISIONS[0].year)}
    if crosswalks:
        last = crosswalks[max(crosswalks)][f"gm_code_{max(crosswalks)}"]
        if set(last) != set(master["gm_code"]):
            raise BuildError(f"the codes of division {max(crosswalks)} differ from the master file's")
    rows = [{"division": DIVISIONS[0].year, "gemeenten": DIVISIONS[0].gemeenten,
             "herindelingen": "not tracked (oldest division in the dataset)", "crosswalk": "",
             "source": DIVISIONS[0].source}]
    for prev, div in zip(DIVISIONS, DIVISIONS[1:]):
        rows.append({"division": div.year, "gemeenten": div.gemeenten,
                     "herindelingen": herindelingen(div, prev, crosswalks.get(div.year)),
                     "crosswalk": div.crosswalk or "", "source": div.source})
    same = [d.year for d in DIVISIONS if d.year >= max(crosswalks, default=DIVISIONS[0].year)]
    log(f"  divisions: {', '.join(map(str, years))}; data/ keyed by the {N_GEMEENTEN} gemeenten of "
        f"{' = '.join(map(str, same))}")
    return pd.DataFrame(rows)


def _vintage_population(v: PopulationVintage, master: pd.DataFrame, raw: Path, log: BuildLog) -> pd.Series:
    """The figures of one vintage, checked (codes once, whole numbers >= 0, CBS national total)
    and summed into the dataset division."""
    frame = master if v.raw_file == RAW_MASTER else _read_raw(raw, v.raw_file)
    if v.column not in frame.columns or frame["gm_code"].duplicated().any():
        raise BuildError(f"{v.raw_file} needs unique gm_code values and a column {v.column}")
    values = pd.to_numeric(frame[v.column], errors="coerce")
    if values.isna().any() or (values < 0).any() or (values % 1 != 0).any():
        raise BuildError(f"{v.raw_file}: {v.column} must be whole numbers >= 0")
    if "gm_naam" in frame.columns and not _crosswalks(raw, v.division):  # same codes: names comparable
        names = master.set_index("gm_code")["gm_naam"]
        for c, n in zip(frame["gm_code"], frame["gm_naam"]):
            if names.get(c, n) != n:
                log(f"  name differs between master and {v.raw_file} for {c}: {names[c]!r} vs {n!r} (master kept)")
    pop = to_division(pd.Series(values.astype("int64").to_numpy(), index=frame["gm_code"].to_numpy()),
                      v.division, raw)
    if set(pop.index) != set(master["gm_code"]):
        raise BuildError(f"population {v.reference_date}: the gemeenten differ from the master file's "
                         f"({sorted(set(pop.index) ^ set(master['gm_code']))[:5]})")
    if int(pop.sum()) != v.national:
        raise BuildError(f"population {v.reference_date} sums to {int(pop.sum()):,}, "
                         f"CBS national total is {v.national:,}")
    return pop
def build_population(master: pd.DataFrame, raw: Path, log: BuildLog) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``population.csv`` (gm_code, reference_date, population; one block per date, oldest first)
    and ``population_sources.csv`` (reference_date, division, gemeenten, national, source).

    Every vintage of :data:`POPULATION_VINTAGES` is checked (1 January, dates ascending, codes =
    the dataset's after summing into its division, whole numbers >= 0, sum = the CBS national
    total) and its change since the previous date is reported; a gemeente changing by more than
    :data:`MAX_POPULATION_CHANGE` stops the build (a transcription error, or a herindeling
    without its crosswalk).
    """
    dates = [dt.date.fromisoformat(v.reference_date) for v in POPULATION_VINTAGES]
    if dates != sorted(set(dates)) or any((d.month, d.day) != (1, 1) for d in dates):
        raise BuildError(f"population reference dates must be 1 January, ascending, once each: {dates}")
    names = master.set_index("gm_code")["gm_naam"]
    blocks, sources, previous = [], [], None
    for v in POPULATION_VINTAGES:
        pop = _vintage_population(v, master, raw, log)
        line = f"  population {v.reference_date}: {len(pop)} gemeenten, sum {int(pop.sum()):,} (= CBS national total)"
        if previous is not None:
            change = pop / previous[1] - 1
            lo, hi = change.idxmin(), change.idxmax()
            if change.abs().max() > MAX_POPULATION_CHANGE:
                worst = change.abs().idxmax()
                raise BuildError(f"population of {worst} changes by {change[worst]:+.1%} between {previous[0]} "
                                 f"and {v.reference_date} (more than {MAX_POPULATION_CHANGE:.0%})")
            line += (f"; since {previous[0]} {int(pop.sum() - previous[1].sum()):+,}, per gemeente "
                     f"{change[lo]:+.1%} ({names[lo]}) .. {change[hi]:+.1%} ({names[hi]})")
        log(line)
        blocks.append(pd.DataFrame({"gm_code": pop.index, "reference_date": v.reference_date,
                                    "population": pop.to_numpy(dtype="int64")}))
        mapped = "" if v.division == DIVISIONS[-1].year or not _crosswalks(raw, v.division) else \
            f"; summed from the {v.division} division into {DIVISIONS[-1].year}"
        sources.append({"reference_date": v.reference_date, "division": v.division, "gemeenten": len(pop),
                        "national": v.national, "source": v.source + mapped})
        previous = (v.reference_date, pop)
    return pd.concat(blocks, ignore_index=True), pd.DataFrame(sources)


def build_taakstelling(raw: Path, log: BuildLog) -> pd.DataFrame:
    """National half-year taakstelling: DOMAIN.md totals 2021-H1..2023-H2, raw file 2024-H1 on,
    then :data:`PUBLISHED_TAAKSTELLING`; no contradiction and no gap between periods allowed."""
    rows = [{"period": p, "persons": v, "source": DOMAIN_SOURCE}
            for p, v in DOMAIN_TAAKSTELLING.items() if p < "2024"]
    t = _read_raw(raw, RAW_TAAKSTELLING, dtype=str)
    for _, r in t.iterrows():
        period, persons = r["periode"].strip(), int(r["landelijke_taakstelling_personen"])
        if DOMAIN_TAAKSTELLING.get(period, persons) != persons:
            raise BuildError(f"taakstelling {period}: raw file says {persons}, DOMAIN.md {DOMAIN_TAAKSTELLING[period]}")
        source = f"{r['bron_vermeld'].strip()}; as cited in InfoMakersHub/grenzendicht js/figures.js"
        if period in DOMAIN_NOTES:
            source += f"; {DOMAIN_NOTES[period]}"
        rows.append({"period": period, "persons": persons, "source": source})
    known = {r["period"]: r["persons"] for r in rows}
    for period, (persons, source) in sorted(PUBLISHED_TAAKSTELLING.items()):
        if known.get(period, persons) != persons or DOMAIN_TAAKSTELLING.get(period, persons) != persons:
            raise BuildError(f"taakstelling {period}: PUBLISHED_TAAKSTELLING says {persons}, the raw file or "
                             f"DOMAIN.md {known.get(period, DOMAIN_TAAKSTELLING.get(period))}")
        if period not in known:
            rows.append({"period": period, "persons": persons, "source": source})
    out = pd.DataFrame(rows).sort_values("period").reset_index(drop=True)
    if out["period"].duplicated().any():
        raise BuildError("duplicate taakstelling periods")
    periods = [Period.parse(p) for p in out["period"]]
    gaps = [str(a.next()) for a, b in zip(periods, periods[1:]) if b != a.next()]
    if gaps:
        raise BuildError(f"taakstelling periods have a gap: {', '.join(gaps)} missing")
    log(f"  taakstelling: {len(out)} half-years, {out['period'].iloc[0]} .. {out['period'].iloc[-1]}; "
        f"from {periods[-1].next()} on the user gives --national N")
    return out


# --------------------------------------------------------------------------------------------
# housing_modelled.csv
# --------------------------------------------------------------------------------------------

def percentile_rank(values: pd.Series) -> pd.Series:
    """Rank scaled to [0, 1]: lowest value 0, highest 1, ties get their average rank."""
    r = values.rank(method="average")
    return (r - 1) / (len(values) - 1)


def build_housing(gem: pd.DataFrame, model: HousingModel, log: BuildLog) -> pd.DataFrame:
    """MODELLED dwellings offered to statushouders per half-year by size class (HousingModel)."""
    codes = gem["gm_code"].tolist()
    households = np.rint(gem["population_2024"] / gem["avg_household_size"]).astype(np.int64)
    stock = np.rint(households * gem["corporation_rental_pct"] / 100).astype(np.int64)
    turnover = model.vacated_per_year / float(stock.sum())
    lettings = stock * turnover / 2
    offered = (lettings * model.statushouder_share).to_numpy(dtype=float)

    t = ((gem["multi_family_pct"] - gem["single_family_pct"]) / 100).to_numpy(dtype=float)
    t_mean = float((offered * t).sum() / offered.sum())
    base = np.array(model.class_shares)
    tilt = np.array(model.class_tilt)
    if not math.isclose(base.sum(), 1.0) or not math.isclose(tilt.sum(), 0.0, abs_tol=1e-12):
        raise BuildError("class_shares must sum to 1 and class_tilt to 0")
    shares = base[None, :] + tilt[None, :] * (t - t_mean)[:, None]
    clipped = int((shares < 0).sum())
    shares = np.clip(shares, 0.0, None)
    shares = shares / shares.sum(axis=1, keepdims=True)
    x = offered[:, None] * shares

    class_unrounded = x.sum(axis=0)
    total = int(round(offered.sum()))
    class_totals = largest_remainder(class_unrounded, total, [f"c{k}" for k in range(1, 6)])
    dwellings = controlled_round(x, class_totals, codes)

    pressure = np.zeros(len(gem))
    for col, sign in model.pressure_indicators:
        pressure += percentile_rank(sign * gem[col]).to_numpy()
    pressure /= len(model.pressure_indicators)

    out = pd.DataFrame({
        "gm_code": codes,
        "households_est": households.to_numpy(),
        "corporation_stock_est": stock.to_numpy(),
        "corporation_lettings_halfyear_est": np.round(lettings.to_numpy(dtype=float), 2),
    })
    for k, col in enumerate(DWELLING_COLUMNS):
        out[col] = dwellings[:, k]
    out["housing_pressure"] = np.round(pressure, 4)

    log(f"  corporation stock (est.): {int(stock.sum()):,} dwellings; calibrated turnover "
        f"{turnover:.4%} a year -> {model.vacated_per_year:,} vacated a year")
    log(f"  offered to statushouders per half-year: {offered.sum():.1f} -> {total} dwellings "
        f"(t_mean = {t_mean:+.4f}, negative shares clipped: {clipped})")
    log("  national dwellings per class: " + ", ".join(
        f"c{k + 1} {int(class_totals[k])} ({class_unrounded[k]:.2f})" for k in range(5)))
    row_dev = np.abs(dwellings.sum(axis=1) - offered).max()
    col_ok = bool((dwellings.sum(axis=0) == class_totals).all())
    log(f"  controlled rounding: class totals {'exact' if col_ok else 'within 1'}, "
        f"largest gemeente deviation {row_dev:.2f} dwellings")
    zero = [c for c, s in zip(codes, stock) if s == 0]
    if zero:
        log(f"  gemeenten with 0 corporation dwellings in KWB 2021 (no modelled supply): {', '.join(zero)}")
    return out[list(HOUSING_COLUMNS)]


# --------------------------------------------------------------------------------------------
# reception_modelled.csv
# --------------------------------------------------------------------------------------------

def build_reception(gem: pd.DataFrame, model: ReceptionModel, log: BuildLog) -> pd.DataFrame:
    """MODELLED existing reception places: the largest gemeenten by population hold them."""
    order = sorted(range(len(gem)), key=lambda i: (-int(gem["population_2024"].iloc[i]), gem["gm_code"].iloc[i]))
    hosts = sorted(order[: model.hosting_gemeenten])
    pop = gem["population_2024"].to_numpy(dtype=float)
    quota = np.zeros(len(gem))
    quota[hosts] = model.existing_places * pop[hosts] / pop[hosts].sum()
    places = largest_remainder(quota, model.existing_places, gem["gm_code"].tolist())
    if (places[hosts] < 1).any():
        raise BuildError("a hosting gemeente got 0 places; lower hosting_gemeenten")
    smallest = int(pop[hosts].min())
    log(f"  reception: {model.existing_places:,} places over {len(hosts)} gemeenten "
        f"(population >= {smallest:,}); {int((places == 0).sum())} gemeenten without places")
    return pd.DataFrame({"gm_code": gem["gm_code"], "reception_places": places})


# --------------------------------------------------------------------------------------------
# Boundaries
# --------------------------------------------------------------------------------------------

def _rings_rounded(geom: object, decimals: int) -> list:
    """GeoJSON ``MultiPolygon`` coordinates of a shapely (multi)polygon, exteriors
    counter-clockwise and holes clockwise (RFC 7946), lon/lat rounded to ``decimals``."""
    import shapely

    geom = shapely.orient_polygons(geom)
    parts = list(geom.geoms) if geom.geom_type == "MultiPolygon" else [geom]
    return [[[[round(x, decimals), round(y, decimals)] for x, y in ring.coords]
             for ring in (p.exterior, *p.interiors)] for p in parts]


def build_boundaries(raw: Path, gem: pd.DataFrame, log: BuildLog, *, tolerance_m: float = BOUNDARY_TOLERANCE_M,
                     decimals: int = BOUNDARY_DECIMALS) -> str:
    """``boundaries.geojson``: the 342 gemeenten and the 12 province outlines, simplified.

    The PDOK polygons (lon/lat) are projected to RD New (EPSG:28992), simplified together with
    ``shapely.coverage_simplify`` (a Visvalingam-Whyatt simplification of the coverage: an edge
    shared by two gemeenten is simplified once, so shared borders stay shared and no gaps or
    overlaps appear), projected back and rounded; a province is the coverage union of its
    gemeenten (a union on a 1 m grid, which also closes the slivers of the source). Features are sorted by code (gemeenten, then provinces); the text is deterministic.
    """
    import json

    import pyproj
    import shapely

    src = json.loads((raw / RAW_BOUNDARIES).read_text(encoding="utf-8"))
    feats = sorted(src["features"], key=lambda f: f["properties"]["statcode"])
    codes = [f["properties"]["statcode"] for f in feats]
    if codes != gem["gm_code"].tolist():
        raise BuildError(f"{RAW_BOUNDARIES}: its {len(codes)} codes differ from the {len(gem)} gemeenten")
    to_rd = pyproj.Transformer.from_crs(4326, 28992, always_xy=True)
    to_ll = pyproj.Transformer.from_crs(28992, 4326, always_xy=True)

    def project(geom: object, t: pyproj.Transformer) -> object:
        return shapely.transform(geom, lambda c: np.column_stack(t.transform(c[:, 0], c[:, 1])))

    rd = np.array([project(shapely.geometry.shape(f["geometry"]), to_rd) for f in feats])
    simple = shapely.coverage_simplify(rd, tolerance_m)
    g = gem.set_index("gm_code")
    features = [{"type": "Feature", "properties": {"kind": "gemeente", "gm_code": c, "gm_naam": g.at[c, "gm_naam"],
                                                   "provincie_code": g.at[c, "provincie_code"]},
                 "geometry": {"type": "MultiPolygon", "coordinates": _rings_rounded(project(s, to_ll), decimals)}}
                for c, s in zip(codes, simple)]
    pv = g["provincie_code"].to_numpy()
    for code in sorted(set(pv)):
        outline = shapely.union_all(simple[pv == code], grid_size=1.0)  # 1 m grid: closes slivers of the source
        name = g.loc[g["provincie_code"] == code, "provincie"].iloc[0]
        features.append({"type": "Feature", "properties": {"kind": "provincie", "provincie_code": code,
                                                           "provincie": name},
                         "geometry": {"type": "MultiPolygon",
                                      "coordinates": _rings_rounded(project(outline, to_ll), decimals)}})
    n = sum(len(r) for f in features[:len(codes)] for p in f["geometry"]["coordinates"] for r in p)
    log(f"boundaries: {len(codes)} gemeenten ({n} points after simplifying at {tolerance_m:g} m), "
        f"{len(features) - len(codes)} provinces")
    head = {"type": "FeatureCollection", "name": "spreiding_boundaries",
            "attribution": "Bron: CBS, PDOK (CBS Gebiedsindelingen 2024, gemeente_gegeneraliseerd; CC BY 4.0), "
                           f"vereenvoudigd met shapely.coverage_simplify ({tolerance_m:g} m)"}
    lines = [json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in features]
    return json.dumps(head, ensure_ascii=False)[:-1] + ', "features": [\n' + ",\n".join(lines) + "\n]}\n"


# --------------------------------------------------------------------------------------------
# Orchestration
# --------------------------------------------------------------------------------------------

def write_csv(df: pd.DataFrame, path: Path) -> None:
    """UTF-8, comma-separated, ``\\n`` line ends, no index (deterministic bytes)."""
    df.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")


def build(raw: Path | str, out: Path | str, *, source: str = "raw",
          echo: Callable[[str], None] | None = print) -> BuildLog:
    """Build every file of ``data/`` into ``out`` (atomically: all files or none)."""
    raw, out = Path(raw), Path(out)
    log = BuildLog(echo=echo)
    log(f"building dataset from {'CBS StatLine' if source == 'cbs' else raw} into {out}")
    if source == "cbs":
        master, kwb = fetch_cbs_inputs(raw, log)
    elif source == "raw":
        master, kwb = load_raw_inputs(raw)
    else:
        raise ValueError(f"unknown source {source!r}; expected 'raw' or 'cbs'")

    gem = build_gemeenten(master, kwb, raw, log)
    population, population_sources = build_population(master, raw, log)
    tables = {
        "gemeenten": gem,
        "divisions": build_divisions(master, raw, log),
        "population": population,
        "population_sources": population_sources,
        "taakstelling_national": build_taakstelling(raw, log),
        "housing_modelled": build_housing(gem, HOUSING_MODEL, log),
        "reception_modelled": build_reception(gem, RECEPTION_MODEL, log),
    }
    boundaries = build_boundaries(raw, gem, log)
    with atomic_output_dir(out) as tmp:
        for name, df in tables.items():
            write_csv(df, tmp / DATA_FILES[name])
        (tmp / EMBEDDED_BOUNDARIES_FILE).write_text(boundaries, encoding="utf-8", newline="\n")
    log(f"wrote {', '.join(DATA_FILES[n] for n in tables)}, {EMBEDDED_BOUNDARIES_FILE}")
    return log


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--raw", type=Path, default=None, help="raw folder (default: SPREIDING_RAW or ../shared/data/raw)")
    parser.add_argument("--out", type=Path, default=None, help="output folder (default: data/ or SPREIDING_DATA)")
    parser.add_argument("--source", choices=("raw", "cbs"), default="raw",
                        help="raw: the raw files; cbs: fetch 70072NED and 85039NED with cbsodata")
    args = parser.parse_args(argv)
    try:
        build(args.raw or raw_dir(), args.out or data_dir(), source=args.source)
    except BuildError as exc:
        print(f"build failed: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
