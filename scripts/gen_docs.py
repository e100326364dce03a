"""Generate docs/inputs.md from the input specs (optimizer/data/schemas.py, optimizer/data/dataset.py,
optimizer/koppeling/scoring.py; single source).

    python scripts/gen_docs.py          # rewrite docs/inputs.md
    python scripts/gen_docs.py --check  # exit 1 if docs/inputs.md is out of date
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from optimizer.data import dataset, schemas  # noqa: E402
from optimizer.data.validation import describe  # noqa: E402
from optimizer.koppeling.scoring import GEMEENTE_SCORE_COLUMNS, SCORE_COLUMNS  # noqa: E402

SECTIONS = [
    ("Households (`--households`)", schemas.HOUSEHOLD_COLUMNS,
     "One row per household awaiting a koppeling (plus context rows of households linked earlier, "
     "e.g. referents). IDs only: the engine never reads names, nationality, ethnicity, religion "
     "or gender, and rejects a file with such a column. Lists (`;`-separated) hold one entry per "
     "adult or per child. See also [households.md](households.md)."),
    ("Gemeente state (`--state`)", schemas.STATE_COLUMNS,
     "One row per gemeente, all 342 of the dataset. `spreiding state` builds one from the embedded "
     "data, for a batch date or the whole half-year ([cycle.md](cycle.md)); extra columns such as "
     "`gm_naam` and `target_rule` are ignored."),
    ("Realisation (`--realised`)", schemas.REALISED_COLUMNS,
     "Persons housed per gemeente in earlier half-years; gives the achterstand (+) / voorsprong (-)."),
    ("Uitruil (`--swaps`)", schemas.SWAP_COLUMNS,
     "Swaps of taakstelling between gemeenten (Huisvestingswet art. 29(2)); each swap_id sums to 0."),
    ("Linked so far (`--linked`)", schemas.LINKED_COLUMNS, "Persons linked so far this half-year."),
    ("Locks (`--lock`)", schemas.LOCK_COLUMNS, "Planner decisions the model must respect."),
    ("Previous proposal (`--previous`)", schemas.PREVIOUS_COLUMNS,
     "A proposal.csv of an earlier run: the new proposal changes as few links as it must "
     "(weight `change`). Extra columns are ignored."),
    ("Employment scores (`--scores`)", SCORE_COLUMNS,
     "Optional: your own expected-employment score per household and arbeidsmarktregio, replacing "
     "the embedded transparent score. Every household x arbeidsmarktregio must be present. Scores are "
     "kept at full precision. With `--scores` the columns only the embedded score uses (`adult_ages`, "
     "`education`, `sector`, `dutch_level`, `english_level`) may be left out of the households file."),
    ("Employment scores per gemeente (`--scores`, gemeente form)", GEMEENTE_SCORE_COLUMNS,
     "Optional, instead of the region form (a file with `gm_code` and no `amr_code`): a score per household "
     "and gemeente, e.g. a predicted outcome per location. A household-gemeente pair without a row is not "
     "allowed (the file doubles as the compatibility table); every household needs at least one row. With "
     "`[objective] mode = \"maximise\"` in the variant the model maximises the total score "
     "([model.md](model.md), generic placement)."),
    ("Allowed sets (`--allowed`)", schemas.ALLOWED_COLUMNS,
     "Optional: one row per allowed household-gemeente pair. A household with rows here goes only to its "
     "listed gemeenten; a household without rows may go anywhere its ties and locks allow. A `fix` lock "
     "overrides the allowed set. Pairs that are not allowed, and gemeenten a household cannot fit at all (no "
     "dwelling of its class, a cap of 0, a capacity below its usage), generate no model variables."),
    ("Capacities per named resource (`--capacities`)", schemas.CAPACITY_COLUMNS,
     "Optional: multi-dimensional capacities per gemeente, one row per gemeente and resource. Built-in "
     "resources: `households` (1 per household), `persons`, `adults`, `children` (the households columns). "
     "Any other resource name (lower case, digits, `_`) must be a numeric column (>= 0) of the households "
     "file giving each household's use of it, e.g. `seniors` or `wheelchair`."),
    ("Housing (`--housing`)", dataset.HOUSING_SPEC,
     "Dwellings offered to statushouders per half-year and housing pressure, one row per gemeente (all 342), "
     "replacing the modelled `data/housing_modelled.csv`. Other columns are kept."),
    ("Population (`--population`)", dataset.POPULATION_SPEC,
     "Population per gemeente on the reference date of the taakstelling (all 342), replacing `data/population.csv`."),
    ("Existing reception places (`--reception`)", dataset.RECEPTION_SPEC,
     "Existing multi-year reception places per gemeente (all 342), replacing `data/reception_modelled.csv`."),
    ("Spreidingswet figures (reception variant `key.spreidingswet_file`)", dataset.SPREIDINGSWET_SPEC,
     "In the format of the NOS Nieuwsuur compilation, one row per gemeente (all 342); "
     "`sw_capaciteit_totaal` = `sw_capaciteit_regulier` + `sw_capaciteit_nood` on every row. Other columns are "
     "ignored."),
]


def render() -> str:
    out = ["# Input files", "",
           "Generated from the specs in `optimizer/data/schemas.py`, `optimizer/data/dataset.py` and "
           "`optimizer/koppeling/scoring.py` by `scripts/gen_docs.py`; do not edit by hand.", "",
           "All inputs may be CSV (UTF-8, `,` or `;` separated, decimal comma or point), XLSX (first sheet) "
           "or Parquet. Every violation is reported at once with file, row (header = row 1), column, value and "
           "the rule; the command exits with code 2 and writes nothing.", "",
           "No file may have a column about nationality, ethnicity or migration background, religion or "
           "gender (e.g. `nationaliteit`, `land van herkomst`, `geslacht`, `M/V`); household-level files "
           "(households, locks, previous proposal, scores) may have no names, initials, birth data or "
           "country either. Such a column is rejected, whatever its spelling.", ""]
    for title, cols, text in SECTIONS:
        out += [f"## {title}", "", text, "", describe(cols), ""]
    return "\n".join(out)


def main() -> None:
    target = ROOT / "docs" / "inputs.md"
    text = render()
    if "--check" in sys.argv:
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            print("docs/inputs.md is out of date: run python scripts/gen_docs.py", file=sys.stderr)
            sys.exit(1)
        return
    target.write_text(text, encoding="utf-8")
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
