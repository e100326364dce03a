"""Bad input, every command and every input file: exit code 2, a message naming the file or
option, the value and the rule, no traceback, nothing written in --out (and no temporary folder
left). One parametrised table of cases (``CASES``, at least 100 distinct classes); every case fails
in validation, before any model is solved."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

import pytest
from support.checker import household_row, state_frame
from support.cli import invoke

A, B = "GM0014", "GM0037"


def _csv(rows: list[dict], sep: str = ",") -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(rows[0]), delimiter=sep, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()


HH_ROWS = [household_row("H1"), household_row("H2", 3, children=1, child_ages="6"), household_row("H3")]
STATE_ROWS = state_frame({A: dict(target=2, c1=3, c3=1), B: dict(target=1, c1=1)}).to_dict("records")


def hh(i: int = 0, drop: str | None = None, add: dict | None = None, rows: list[dict] | None = None, **cells) -> str:
    """The households file with row ``i`` changed (``cells``), a column dropped or added."""
    out = [dict(r) for r in (rows or HH_ROWS)]
    out[i].update({k: str(v) for k, v in cells.items()})
    for r in out:
        if drop:
            r.pop(drop)
        r.update(add or {})
    return _csv(out)


def st(gm: str = A, drop: str | None = None, **cells) -> str:
    """The state file with gemeente ``gm`` changed, or a column dropped."""
    out = [dict(r) for r in STATE_ROWS]
    for r in out:
        if r["gm_code"] == gm:
            r.update({k: str(v) for k, v in cells.items()})
        if drop:
            r.pop(drop)
    return _csv(out)


def koppeling_variant(replace: tuple[str, str] | None = None, extra: str = "") -> str:
    from optimizer.core.paths import variants_dir

    text = (variants_dir() / "default.toml").read_text(encoding="utf-8")
    if replace:
        assert replace[0] in text, replace
        text = text.replace(*replace)
    return text + extra


def reception_variant(replace: tuple[str, str] | None = None, extra: str = "") -> str:
    from optimizer.core.paths import variants_dir

    text = (variants_dir() / "reception-bonus-only.toml").read_text(encoding="utf-8")
    if replace:
        assert replace[0] in text, replace
        text = text.replace(*replace)
    return text + extra


@dataclass
class Case:
    """One bad-input class: the command line (``{name}`` = path of file ``name`` in tmp_path,
    ``{out}`` = the output path), the files written first, and words the message must contain."""

    id: str
    argv: tuple[str, ...]
    files: dict[str, str | bytes] = field(default_factory=dict)
    words: tuple[str, ...] = ()


PROPOSE = ("propose", "--households", "{hh.csv}", "--state", "{st.csv}", "--out", "{out}", "--no-map", "--no-xlsx")
BASE_FILES = {"hh.csv": _csv(HH_ROWS), "st.csv": _csv(STATE_ROWS)}


def propose(id: str, words: tuple[str, ...], extra: tuple[str, ...] = (), **files: str | bytes) -> Case:
    """A propose case: ``files`` replace the valid ones (keyword = file name with '_' for '.')."""
    return Case(id, PROPOSE + extra, {**BASE_FILES, **{k.replace("_", "."): v for k, v in files.items()}}, words)


def what_if(id: str, words: tuple[str, ...], extra: tuple[str, ...], **files: str | bytes) -> Case:
    argv = ("what-if", "--households", "{hh.csv}", "--state", "{st.csv}", "--out", "{out}") + extra
    return Case(id, argv, {**BASE_FILES, **{k.replace("_", "."): v for k, v in files.items()}}, words)


HH_CASES = [
    propose("hh-persons-zero", ("hh.csv", "persons", "'0'"), hh_csv=hh(persons=0, adults=0)),
    propose("hh-persons-huge", ("hh.csv", "persons", "1e30"), hh_csv=hh(persons="1e30")),
    propose("hh-persons-text", ("hh.csv", "persons", "'two'"), hh_csv=hh(persons="two")),
    propose("hh-persons-fraction", ("hh.csv", "persons", "'1.5'"), hh_csv=hh(persons="1.5")),
    propose("hh-persons-negative", ("hh.csv", "persons", "'-1'"), hh_csv=hh(persons="-1")),
    propose("hh-adults-missing-value", ("hh.csv", "adults"), hh_csv=hh(adults="")),
    propose("hh-children-negative", ("hh.csv", "children", "'-2'"), hh_csv=hh(children="-2")),
    propose("hh-composition", ("hh.csv", "persons"), hh_csv=hh(persons=2)),
    propose("hh-adult-ages-count", ("hh.csv", "adult_ages"), hh_csv=hh(adult_ages="35;40")),
    propose("hh-adult-age-minor", ("hh.csv", "adult_ages", "12"), hh_csv=hh(adult_ages="12")),
    propose("hh-adult-age-text", ("hh.csv", "adult_ages", "old"), hh_csv=hh(adult_ages="old")),
    propose("hh-child-age-adult", ("hh.csv", "child_ages", "19"), hh_csv=hh(1, child_ages="19")),
    propose("hh-child-ages-count", ("hh.csv", "child_ages"), hh_csv=hh(1, child_ages="6;7")),
    propose("hh-size-class-6", ("hh.csv", "size_class", "'6'"), hh_csv=hh(size_class=6)),
    propose("hh-size-class-too-small", ("hh.csv", "size_class"), hh_csv=hh(1, size_class=1)),
    propose("hh-education-unknown", ("hh.csv", "education", "phd"), hh_csv=hh(education="phd")),
    propose("hh-sector-unknown", ("hh.csv", "sector", "mining"), hh_csv=hh(sector="mining")),
    propose("hh-dutch-unknown", ("hh.csv", "dutch_level", "C2"), hh_csv=hh(dutch_level="C2")),
    propose("hh-english-unknown", ("hh.csv", "english_level", "fluent"), hh_csv=hh(english_level="fluent")),
    propose("hh-tie-unknown-gm", ("hh.csv", "tie_family_gm", "GM9999"), hh_csv=hh(tie_family_gm="GM9999")),
    propose("hh-tie-work-bad-code", ("hh.csv", "tie_work_gm", "Utrecht"), hh_csv=hh(tie_work_gm="Utrecht")),
    propose("hh-tie-study-bad-code", ("hh.csv", "tie_study_gm", "0014"), hh_csv=hh(tie_study_gm="0014")),
    propose("hh-medical-unknown-amr", ("hh.csv", "tie_medical_amr", "AM99"), hh_csv=hh(tie_medical_amr="AM99")),
    propose("hh-referent-unknown", ("hh.csv", "referent_id", "H9"), hh_csv=hh(referent_id="H9")),
    propose("hh-referent-self", ("hh.csv", "referent_id", "H1"), hh_csv=hh(referent_id="H1")),
    propose("hh-linked-unknown-gm", ("hh.csv", "linked_gm", "GM0000"), hh_csv=hh(linked_gm="GM0000")),
    propose("hh-bsn-not-bool", ("hh.csv", "has_bsn", "maybe"), hh_csv=hh(has_bsn="maybe")),
    propose("hh-iban-empty", ("hh.csv", "has_iban"), hh_csv=hh(has_iban="")),
    propose("hh-permit-not-date", ("hh.csv", "permit_date", "yesterday"), hh_csv=hh(permit_date="yesterday")),
    propose("hh-permit-impossible-date", ("hh.csv", "permit_date", "2025-02-30"), hh_csv=hh(permit_date="2025-02-30")),
    propose("hh-permit-before-1950", ("hh.csv", "permit_date", "1949"), hh_csv=hh(permit_date="1949-12-31")),
    propose("hh-permit-after-batch", ("hh.csv", "permit_date", "2025-09-01"), ("--date", "2025-08-04"),
            hh_csv=hh(permit_date="2025-09-01")),
    propose("hh-coa-unknown", ("hh.csv", "coa_location_gm", "GM1234"), hh_csv=hh(coa="GM1234", coa_location_gm="GM1234")),
    propose("hh-duplicate-id", ("hh.csv", "household_id", "H1"), hh_csv=hh(1, household_id="H1")),
    propose("hh-empty-id", ("hh.csv", "household_id"), hh_csv=hh(household_id="")),
    propose("hh-control-character-id", ("hh.csv", "household_id", "control character"), hh_csv=hh(household_id="H\x1b1")),
    propose("hh-missing-column", ("hh.csv", "permit_date", "missing"), hh_csv=hh(drop="permit_date")),
    propose("hh-gender-column", ("hh.csv", "geslacht"), hh_csv=hh(add={"geslacht": "v"})),
    propose("hh-m-v-column", ("hh.csv", "M/V"), hh_csv=hh(add={"M/V": "m"})),
    propose("hh-nationality-column", ("hh.csv", "nationaliteit"), hh_csv=hh(add={"nationaliteit": "x"})),
    propose("hh-religion-column", ("hh.csv", "Religie"), hh_csv=hh(add={"Religie": "x"})),
    propose("hh-origin-column", ("hh.csv", "land van herkomst"), hh_csv=hh(add={"land van herkomst": "x"})),
    propose("hh-name-column", ("hh.csv", "achternaam"), hh_csv=hh(add={"achternaam": "x"})),
    propose("hh-ethnicity-column", ("hh.csv", "ethnicity"), hh_csv=hh(add={"ethnicity": "x"})),
    propose("hh-empty-file", ("hh.csv",), hh_csv=""),
    propose("hh-header-only", ("hh.csv",), hh_csv=_csv(HH_ROWS).splitlines()[0] + "\n"),
    propose("hh-binary-garbage", ("hh.csv",), hh_csv=b"\x00\x01\x02\xff\xfe\x00garbage"),
    propose("hh-latin1-not-utf8", ("hh.csv",), hh_csv=_csv(HH_ROWS).replace("H3", "H\xe93").encode("cp1252")
            .replace(b"H\xe93", b"H\xe93")),
    Case("hh-missing-file", PROPOSE[:2] + ("{tmp}/nothere.csv",) + PROPOSE[3:], BASE_FILES, ("nothere.csv",)),
    Case("hh-folder-not-file", PROPOSE[:2] + ("{tmp}",) + PROPOSE[3:], BASE_FILES, ("in", "is a folder")),
    Case("hh-unknown-suffix", PROPOSE[:2] + ("{hh.txt}",) + PROPOSE[3:], {**BASE_FILES, "hh.txt": _csv(HH_ROWS)},
         ("hh.txt", ".txt")),
    propose("hh-semicolons-with-bad-persons", ("hh.csv", "persons", "'x'"),
            hh_csv=_csv([{**HH_ROWS[0], "persons": "x"}, *HH_ROWS[1:]], sep=";")),
]

ST_CASES = [
    propose("st-target-negative", ("st.csv", "target", "'-1'"), st_csv=st(target=-1)),
    propose("st-target-text", ("st.csv", "target", "'many'"), st_csv=st(target="many")),
    propose("st-target-inf", ("st.csv", "target", "inf"), st_csv=st(target="inf")),
    propose("st-target-huge", ("st.csv", "target", "1e30"), st_csv=st(target="1e30")),
    propose("st-target-nan", ("st.csv", "target", "nan"), st_csv=st(target="nan")),
    propose("st-dwellings-negative", ("st.csv", "dwellings_c1", "'-3'"), st_csv=st(dwellings_c1=-3)),
    propose("st-dwellings-fraction", ("st.csv", "dwellings_c2", "'1.5'"), st_csv=st(dwellings_c2="1.5")),
    propose("st-dwellings-huge", ("st.csv", "dwellings_c3", "1e30"), st_csv=st(dwellings_c3="1e30")),
    propose("st-pressure-above-1", ("st.csv", "housing_pressure", "'1.5'"), st_csv=st(housing_pressure="1.5")),
    propose("st-pressure-text", ("st.csv", "housing_pressure", "'high'"), st_csv=st(housing_pressure="high")),
    propose("st-cap-negative", ("st.csv", "cap_persons", "'-5'"), st_csv=st(cap_persons=-5)),
    propose("st-cap-households-text", ("st.csv", "cap_households", "'few'"), st_csv=st(cap_households="few")),
    propose("st-unknown-gm", ("st.csv", "gm_code", "GM9999"), st_csv=st(gm_code="GM9999")),
    propose("st-bad-gm-code", ("st.csv", "gm_code", "Groningen"), st_csv=st(gm_code="Groningen")),
    propose("st-duplicate-gm", ("st.csv", "gm_code", B), st_csv=st(gm_code=B)),
    propose("st-missing-gemeente", ("st.csv", "GM0014"), st_csv=_csv(STATE_ROWS[1:])),
    propose("st-missing-column", ("st.csv", "dwellings_c3"), st_csv=st(drop="dwellings_c3")),
    propose("st-linked-negative", ("st.csv", "linked", "'-1'"), st_csv=st(drop=None, linked=-1)),
    propose("st-empty-file", ("st.csv",), st_csv=""),
    propose("st-garbage", ("st.csv",), st_csv=b"\xff\xfe\x00\x00PK\x03\x04"),
    propose("st-xlsx-garbage", ("st.xlsx",), extra=("--state", "{st.xlsx}"), st_xlsx=b"not a workbook"),
]

LOCKS_HEADER = "household_id,gm_code,action\n"
PREV_HEADER = "household_id,status,gm_code\n"
LOCK_CASES = [
    propose("lock-unknown-household", ("locks.csv", "household_id", "H9"), ("--lock", "{locks.csv}"),
            locks_csv=LOCKS_HEADER + f"H9,{A},fix\n"),
    propose("lock-unknown-gm", ("locks.csv", "gm_code", "GM9999"), ("--lock", "{locks.csv}"),
            locks_csv=LOCKS_HEADER + "H1,GM9999,fix\n"),
    propose("lock-bad-action", ("locks.csv", "action", "maybe"), ("--lock", "{locks.csv}"),
            locks_csv=LOCKS_HEADER + f"H1,{A},maybe\n"),
    propose("lock-two-fixes", ("locks.csv", "household_id", "H1"), ("--lock", "{locks.csv}"),
            locks_csv=LOCKS_HEADER + f"H1,{A},fix\nH1,{B},fix\n"),
    propose("lock-duplicate-pair", ("locks.csv", "H1"), ("--lock", "{locks.csv}"),
            locks_csv=LOCKS_HEADER + f"H1,{B},forbid\nH1,{B},forbid\n"),
    propose("lock-fix-without-dwelling", ("locks.csv", "gm_code", B, "class"), ("--lock", "{locks.csv}"),
            locks_csv=LOCKS_HEADER + f"H2,{B},fix\n"),
    propose("lock-fix-beyond-dwellings", ("locks.csv", B), ("--lock", "{locks.csv}"),
            locks_csv=LOCKS_HEADER + f"H1,{B},fix\nH3,{B},fix\n"),
    propose("lock-fix-beyond-cap", ("locks.csv", A, "cap"), ("--lock", "{locks.csv}"),
            st_csv=st(cap_persons=0), locks_csv=LOCKS_HEADER + f"H1,{A},fix\n"),
    propose("lock-referent-apart", ("locks.csv", "one gemeente"), ("--lock", "{locks.csv}"),
            hh_csv=hh(2, referent_id="H1"), st_csv=st(B, dwellings_c1=3),
            locks_csv=LOCKS_HEADER + f"H1,{A},fix\nH3,{B},fix\n"),
    propose("lock-earlier-koppeling", ("locks.csv", "H1"), ("--lock", "{locks.csv}"),
            hh_csv=hh(linked_gm=A), locks_csv=LOCKS_HEADER + f"H1,{B},fix\n"),
    propose("lock-incomplete-dossier", ("locks.csv", "H1"), ("--lock", "{locks.csv}"),
            hh_csv=hh(has_bsn="false"), locks_csv=LOCKS_HEADER + f"H1,{A},fix\n"),
    propose("lock-missing-column", ("locks.csv", "action"), ("--lock", "{locks.csv}"),
            locks_csv="household_id,gm_code\nH1,GM0014\n"),
    propose("prev-unknown-gm", ("prev.csv", "gm_code", "GM9999"), ("--previous", "{prev.csv}"),
            prev_csv=PREV_HEADER + "H1,linked,GM9999\n"),
    propose("prev-duplicate-household", ("prev.csv", "household_id", "H1"), ("--previous", "{prev.csv}"),
            prev_csv=PREV_HEADER + f"H1,linked,{A}\nH1,linked,{B}\n"),
    propose("prev-missing-column", ("prev.csv", "gm_code"), ("--previous", "{prev.csv}"),
            prev_csv="household_id,status\nH1,linked\n"),
    propose("scores-unknown-household", ("scores.csv", "household_id", "H9"), ("--scores", "{scores.csv}"),
            scores_csv="household_id,amr_code,score\nH9,AM01,0.5\n"),
    propose("scores-missing-amr", ("scores.csv", "missing"), ("--scores", "{scores.csv}"),
            scores_csv="household_id,amr_code,score\nH1,AM01,0.5\nH2,AM01,0.5\nH3,AM01,0.5\n"),
    propose("scores-text", ("scores.csv", "score", "'good'"), ("--scores", "{scores.csv}"),
            scores_csv="household_id,amr_code,score\nH1,AM01,good\n"),
    propose("scores-unknown-amr", ("scores.csv", "amr_code", "AM99"), ("--scores", "{scores.csv}"),
            scores_csv="household_id,amr_code,score\nH1,AM99,0.5\n"),
    propose("boundaries-garbage", ("b.geojson",), ("--map", "--boundaries", "{b.geojson}"), b_geojson="{not json"),
    propose("boundaries-missing", ("nothere.geojson",), ("--map", "--boundaries", "{tmp}/nothere.geojson")),
]

VARIANT_CASES = [
    propose(f"variant-{name}", ("v.toml",) + words, ("--variant", "{v.toml}"), v_toml=text) for name, words, text in [
        ("weight-negative", ("quota", "-1"), koppeling_variant(("quota = 10.0", "quota = -1.0"))),
        ("weight-text", ("quota", "lots"), koppeling_variant(("quota = 10.0", 'quota = "lots"'))),
        ("weight-inf", ("quota", "inf"), koppeling_variant(("quota = 10.0", "quota = inf"))),
        ("weight-nan", ("quota", "nan"), koppeling_variant(("quota = 10.0", "quota = nan"))),
        ("weight-unknown", ("happiness",), koppeling_variant(extra="")
         .replace("[weights]", "[weights]\nhappiness = 1.0")),
        ("section-unknown", ("extras",), koppeling_variant(extra="\n[extras]\nx = 1\n")),
        ("ties-unknown", ("ties", "maybe"), koppeling_variant(('ties = "hard"', 'ties = "maybe"'))),
        ("medical-unknown", ("medical", "never"), koppeling_variant(('medical = "hard"', 'medical = "never"'))),
        ("school-age-reversed", ("school_age",), koppeling_variant(extra="").replace(
            "[options]", "[options]\nschool_age = [17, 4]")),
        ("min-scale-zero", ("quota_min_scale", "0"), koppeling_variant(("quota_min_scale = 1.0", "quota_min_scale = 0.0"))),
        ("sharing-text", ("sharing", "yes"), koppeling_variant(("sharing = true", 'sharing = "yes"'))),
        ("solver-time-zero", ("time_limit",), koppeling_variant(extra="\n[solver]\ntime_limit = 0\n")),
        ("solver-gap-one", ("mip_rel_gap",), koppeling_variant(extra="\n[solver]\nmip_rel_gap = 1.0\n")),
        ("solver-threads-zero", ("threads",), koppeling_variant(extra="\n[solver]\nthreads = 0\n")),
        ("solver-node-limit-zero", ("node_limit",), koppeling_variant(extra="\n[solver]\nnode_limit = 0\n")),
        ("solver-unknown", ("speed",), koppeling_variant(extra="\n[solver]\nspeed = 3\n")),
        ("not-toml", ("v.toml",), "this is [not toml"),
        ("wrong-kind", ("kind", "reception"), koppeling_variant(('kind = "koppeling"', 'kind = "reception"'))),
        ("empty", ("v.toml",), ""),
    ]
] + [propose("variant-unknown-name", ("no-such-variant", "not found"), ("--variant", "no-such-variant"))]

OPTION_CASES = [
    propose("opt-time-limit-negative", ("--time-limit", "-1"), ("--time-limit", "-1")),
    propose("opt-time-limit-zero", ("--time-limit", "0"), ("--time-limit", "0")),
    propose("opt-gap-above-one", ("--gap", "1.5"), ("--gap", "1.5")),
    propose("opt-gap-negative", ("--gap", "-0.1"), ("--gap", "-0.1")),
    propose("opt-threads-negative", ("--threads", "-1"), ("--threads", "-1")),
    propose("opt-seed-negative", ("--seed", "-1"), ("--seed", "-1")),
    propose("opt-node-limit-zero", ("--node-limit", "0"), ("--node-limit", "0")),
    propose("opt-formulation", ("--formulation", "fast"), ("--formulation", "fast")),
    propose("opt-strategy", ("--strategy", "magic"), ("--strategy", "magic")),
    propose("opt-date-bad", ("--date", "2025-13-01"), ("--date", "2025-13-01")),
    Case("opt-no-state", ("propose", "--households", "{hh.csv}", "--out", "{out}"), BASE_FILES, ("--state",)),
    Case("opt-period-bad", ("propose", "--households", "{hh.csv}", "--out", "{out}", "--period", "2025-H3", "--date",
                            "2025-08-04"), BASE_FILES, ("--period", "2025-H3")),
    Case("out-is-a-file", PROPOSE[:-3] + ("{st.csv}", "--no-map"), BASE_FILES, ("st.csv",)),
    Case("out-below-a-file", PROPOSE[:-3] + ("{st.csv}/sub", "--no-map"), BASE_FILES, ("st.csv",)),
]

WHAT_IF = ("--household", "H1")
WHAT_IF_CASES = [
    what_if("whatif-unknown-household", ("--household", "H9"), ("--household", "H9", "--gemeente", A)),
    what_if("whatif-unknown-gemeente", ("--gemeente", "GM9999"), WHAT_IF + ("--gemeente", "GM9999")),
    what_if("whatif-neither", ("--gemeente", "exactly one"), WHAT_IF),
    what_if("whatif-both", ("exactly one",), WHAT_IF + ("--gemeente", A, "--forbid-current")),
    what_if("whatif-node-limit", ("--node-limit", "0"), WHAT_IF + ("--gemeente", A, "--node-limit", "0")),
    what_if("whatif-bad-households", ("hh.csv", "persons"), WHAT_IF + ("--gemeente", A), hh_csv=hh(persons=0)),
    what_if("whatif-bad-lock", ("locks.csv", "action"), WHAT_IF + ("--gemeente", A, "--lock", "{locks.csv}"),
            locks_csv=LOCKS_HEADER + f"H1,{A},perhaps\n"),
]

OTHER_CASES = [
    Case("demo-n-negative", ("demo", "--n", "-5", "--out", "{out}"), {}, ("--n", "-5")),
    Case("demo-n-zero", ("demo", "--n", "0", "--out", "{out}"), {}, ("--n", "0")),
    Case("demo-period-bad", ("demo", "--period", "2025H2", "--out", "{out}"), {}, ("--period", "2025H2")),
    Case("demo-date-bad", ("demo", "--date", "4 August", "--out", "{out}"), {}, ("--date", "4 August")),
    Case("demo-population-bad", ("demo", "--population", "{pop.csv}", "--out", "{out}"),
         {"pop.csv": "gm_code,population\nGM0014,-5\n"}, ("pop.csv", "population", "-5")),
    Case("households-n-zero", ("households", "--n", "0", "--out", "{out}.csv"), {}, ("--n", "0")),
    Case("households-as-of-bad", ("households", "--n", "3", "--as-of", "2025/08/01", "--out", "{out}.csv"), {},
         ("--as-of", "2025/08/01")),
    Case("households-out-suffix", ("households", "--n", "3", "--out", "{out}.docx"), {}, (".docx",)),
    Case("taak-period-bad", ("taakstelling", "--period", "2025-H0", "--out", "{out}.csv"), {}, ("--period", "2025-H0")),
    Case("taak-rounding-bad", ("taakstelling", "--period", "2025-H2", "--rounding", "down", "--out", "{out}.csv"), {},
         ("--rounding", "down")),
    Case("taak-national-negative", ("taakstelling", "--period", "2025-H2", "--national", "-5", "--out", "{out}.csv"),
         {}, ("--national", "-5")),
    Case("taak-population-year", ("taakstelling", "--period", "2025-H2", "--population-year", "1800", "--out",
                                  "{out}.csv"), {}, ("1800",)),
    Case("taak-population-huge", ("taakstelling", "--period", "2025-H2", "--population", "{pop.csv}", "--out",
                                  "{out}.csv"), {"pop.csv": "gm_code,population\nGM0014,1e30\n"},
         ("pop.csv", "population", "1e30")),
    Case("taak-swaps-unbalanced", ("taakstelling", "--period", "2025-H2", "--swaps", "{swaps.csv}", "--out", "{out}.csv"),
         {"swaps.csv": "swap_id,gm_code,delta\nS1,GM0014,-7\nS1,GM0034,5\n"}, ("swaps.csv", "S1")),
    Case("taak-swaps-text", ("taakstelling", "--period", "2025-H2", "--swaps", "{swaps.csv}", "--out", "{out}.csv"),
         {"swaps.csv": "swap_id,gm_code,delta\nS1,GM0014,seven\n"}, ("swaps.csv", "delta", "seven")),
    Case("taak-realised-period", ("taakstelling", "--period", "2025-H2", "--realised", "{r.csv}", "--out", "{out}.csv"),
         {"r.csv": "gm_code,period,housed\nGM0014,2025-H5,10\n"}, ("r.csv", "period", "2025-H5")),
    Case("taak-realised-negative", ("taakstelling", "--period", "2025-H2", "--realised", "{r.csv}", "--out",
                                    "{out}.csv"), {"r.csv": "gm_code,period,housed\nGM0014,2025-H1,-10\n"},
         ("r.csv", "housed", "-10")),
    Case("taak-linked-negative", ("taakstelling", "--period", "2025-H2", "--date", "2025-08-04", "--linked", "{l.csv}",
                                  "--out", "{out}.csv"), {"l.csv": "gm_code,linked\nGM0014,-1\n"},
         ("l.csv", "linked", "-1")),
    Case("taak-batch-days", ("taakstelling", "--period", "2025-H2", "--batch-days", "-7", "--out", "{out}.csv"), {},
         ("--batch-days", "-7")),
    Case("state-no-date", ("state", "--period", "2025-H2", "--out", "{out}.csv"), {}, ("--date",)),
    Case("state-housing-bad", ("state", "--period", "2025-H2", "--date", "2025-08-04", "--housing", "{h.csv}", "--out",
                               "{out}.csv"), {"h.csv": "gm_code;dwellings_c1\nGM0014;-4\n"}, ("h.csv", "-4")),
    Case("state-housing-pressure", ("state", "--period", "2025-H2", "--date", "2025-08-04", "--housing", "{h.csv}",
                                    "--out", "{out}.csv"), {"h.csv": "gm_code;housing_pressure\nGM0014;1,7\n"},
         ("h.csv", "housing_pressure")),
    Case("state-share-bad", ("state", "--period", "2025-H2", "--date", "2025-08-04", "--leefbaarheid-share", "2",
                             "--out", "{out}.csv"), {}, ("--leefbaarheid-share", "2")),
    Case("state-out-suffix", ("state", "--period", "2025-H2", "--date", "2025-08-04", "--out", "{out}.json"), {},
         (".json",)),
    Case("data-date-bad", ("data", "--date", "soon"), {}, ("--date", "soon")),
]

RECEPTION = ("reception", "--variant", "{r.toml}", "--out", "{out}")
RECEPTION_CASES = [
    Case(f"reception-{name}", RECEPTION, {"r.toml": text}, ("r.toml",) + words) for name, words, text in [
        ("total-negative", ("total_places",), reception_variant(("total_places = 88000", "total_places = -5"))),
        ("total-inf", ("total_places",), reception_variant(("total_places = 88000", "total_places = inf"))),
        ("key-unknown", ("key", "nonsense"), reception_variant(('name = "population"', 'name = "nonsense"'))),
        ("weight-negative", ("deviation",), reception_variant(("deviation = 0.05", "deviation = -0.05"))),
        ("phase-unknown", ("phase", "global"), reception_variant(('phase = "national"', 'phase = "global"'))),
        ("unknown-key", ("colour",), reception_variant(extra="\ncolour = 3\n").replace(
            'total_places = 88000', 'total_places = 88000\ncolour = "red"', 1).rsplit("\ncolour = 3\n", 1)[0]),
        ("bonus-text", ("durable",), reception_variant(("durable = 5000", 'durable = "lots"'))),
        ("solver-time-zero", ("time_limit",), reception_variant(extra="\n[solver]\ntime_limit = 0\n")),
        ("wrong-kind", ("kind",), reception_variant(('kind = "reception"', 'kind = "koppeling"'))),
    ]
] + [
    Case("reception-existing-negative", RECEPTION + ("--reception", "{e.csv}"),
         {"r.toml": reception_variant(), "e.csv": "gm_code,reception_places\nGM0014,-3\n"},
         ("e.csv", "reception_places", "-3")),
    Case("reception-time-limit", RECEPTION + ("--time-limit", "-1"), {"r.toml": reception_variant()},
         ("--time-limit", "-1")),
    Case("reception-unknown-variant", ("reception", "--variant", "nope", "--out", "{out}"), {}, ("nope",)),
    Case("compare-one-variant", ("compare", "{r.toml}", "--out", "{out}"), {"r.toml": reception_variant()},
         ("two",)),
    Case("compare-sweep-unknown", ("compare", "{r.toml}", "{r2.toml}", "--sweep", "beauty", "--out", "{out}"),
         {"r.toml": reception_variant(), "r2.toml": reception_variant(('name = "bonus-only"', 'name = "b2"'))},
         ("--sweep", "beauty")),
    Case("compare-workers-zero", ("compare", "{r.toml}", "{r2.toml}", "--workers", "0", "--out", "{out}"),
         {"r.toml": reception_variant(), "r2.toml": reception_variant(('name = "bonus-only"', 'name = "b2"'))},
         ("--workers", "0")),
    Case("compare-sweep-one-step", ("compare", "{r.toml}", "{r2.toml}", "--sweep", "deviation", "--from", "1", "--to",
                                    "2", "--steps", "1", "--out", "{out}"),
         {"r.toml": reception_variant(), "r2.toml": reception_variant(('name = "bonus-only"', 'name = "b2"'))},
         ("--steps", "1")),
    Case("compare-bad-variant", ("compare", "{r.toml}", "{r2.toml}", "--out", "{out}"),
         {"r.toml": reception_variant(), "r2.toml": "[[broken"}, ("r2.toml",)),
]

LEDGER = ("ledger",)
LEDGER_CASES = [
    Case("ledger-open-period", LEDGER + ("open", "--ledger", "{tmp}/l.sqlite", "--period", "2026-X2"), {},
         ("--period", "2026-X2")),
    Case("ledger-open-national", LEDGER + ("open", "--ledger", "{tmp}/l.sqlite", "--period", "2026-H2", "--national",
                                           "-1"), {}, ("--national", "-1")),
    Case("ledger-open-rounding", LEDGER + ("open", "--ledger", "{tmp}/l.sqlite", "--period", "2026-H2", "--national",
                                           "13000", "--rounding", "sideways"), {}, ("--rounding", "sideways")),
    Case("ledger-not-sqlite", LEDGER + ("status", "--ledger", "{l.sqlite}", "--date", "2026-12-01"),
         {"l.sqlite": "just text"}, ("l.sqlite",)),
    Case("ledger-missing", LEDGER + ("status", "--ledger", "{tmp}/none.sqlite", "--date", "2026-12-01"), {},
         ("none.sqlite",)),
    Case("ledger-accept-missing-proposal", LEDGER + ("accept", "--ledger", "{tmp}/l.sqlite", "--proposal", "{tmp}/np"),
         {}, ("np",)),
    Case("ledger-housed-no-ledger", LEDGER + ("housed", "--ledger", "{tmp}/l.sqlite", "--households", "{h.csv}"),
         {"h.csv": "household_id,housed_on\nH1,2026-01-01\n"}, ("--ledger", "l.sqlite", "no ledger")),
    Case("ledger-state-bad-date", LEDGER + ("state", "--ledger", "{tmp}/l.sqlite", "--date", "2026-02-31", "--out",
                                            "{out}.csv"), {}, ("--date", "2026-02-31")),
    Case("ledger-status-by", LEDGER + ("status", "--ledger", "{tmp}/l.sqlite", "--by", "street"), {}, ("--by", "street")),
    Case("ledger-close-period", LEDGER + ("close", "--ledger", "{tmp}/l.sqlite", "--period", "H2"), {}, ("--period", "H2")),
    Case("ledger-import-missing", LEDGER + ("import", "--ledger", "{tmp}/l2.sqlite", "--from", "{tmp}/nofolder"), {},
         ("nofolder",)),
]

# ledger subcommands on an opened ledger ({ledger}: a copy of one opened for 2026-H2)
LEDGER_OPEN_CASES = [
    Case("ledger-housed-bad-date", ("ledger", "housed", "--ledger", "{ledger}", "--households", "{h.csv}"),
         {"h.csv": "household_id,housed_on\nH1,someday\n"}, ("h.csv", "housed_on", "someday")),
    Case("ledger-housed-missing-column", ("ledger", "housed", "--ledger", "{ledger}", "--households", "{h.csv}"),
         {"h.csv": "household_id\nH1\n"}, ("h.csv", "housed_on")),
    Case("ledger-gemeenten-negative", ("ledger", "housed", "--ledger", "{ledger}", "--gemeenten", "{g.csv}"),
         {"g.csv": "gm_code,period,housed\nGM0014,2026-H2,-4\n"}, ("g.csv", "housed", "-4")),
    Case("ledger-gemeenten-unknown", ("ledger", "housed", "--ledger", "{ledger}", "--gemeenten", "{g.csv}"),
         {"g.csv": "gm_code,period,housed\nGM9999,2026-H2,4\n"}, ("g.csv", "gm_code", "GM9999")),
    Case("ledger-status-date", ("ledger", "status", "--ledger", "{ledger}", "--date", "31-12-2026"), {},
         ("--date", "31-12-2026")),
    Case("ledger-state-housing", ("ledger", "state", "--ledger", "{ledger}", "--date", "2026-11-30", "--housing",
                                  "{h.csv}", "--out", "{out}.csv"), {"h.csv": "gm_code,dwellings_c1\nGM0014,lots\n"},
         ("h.csv", "dwellings_c1", "lots")),
    Case("ledger-state-share", ("ledger", "state", "--ledger", "{ledger}", "--date", "2026-11-30",
                                "--leefbaarheid-share", "-1", "--out", "{out}.csv"), {}, ("--leefbaarheid-share", "-1")),
    Case("ledger-accept-no-proposal-csv", ("ledger", "accept", "--ledger", "{ledger}", "--proposal", "{tmp}"), {},
         ("proposal",)),
    Case("ledger-open-twice-other-national", ("ledger", "open", "--ledger", "{ledger}", "--period", "2026-H2",
                                              "--national", "99"), {}, ("2026-H2",)),
]

CASES = LEDGER_OPEN_CASES + HH_CASES + ST_CASES + LOCK_CASES + VARIANT_CASES + OPTION_CASES + WHAT_IF_CASES + OTHER_CASES \
    + RECEPTION_CASES + LEDGER_CASES


def test_at_least_100_distinct_bad_input_classes():
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids)) and len(ids) >= 100, len(ids)


def _materialise(tmp_path, case: Case) -> tuple[list[str], object]:
    work = tmp_path / "in"
    work.mkdir()
    for name, content in case.files.items():
        path = work / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    out = tmp_path / "out" / "result"
    names = {f"{{{n}}}": str(work / n) for n in case.files} | {"{tmp}": str(work), "{out}": str(out)}
    argv = []
    for a in case.argv:
        for k, v in sorted(names.items(), key=lambda kv: -len(kv[0])):
            a = a.replace(k, v)
        argv.append(a)
    return argv, out


@pytest.fixture(scope="module")
def opened_ledger(tmp_path_factory):
    path = tmp_path_factory.mktemp("ledger") / "opened.sqlite"
    r = invoke("ledger", "open", "--ledger", str(path), "--period", "2026-H2", "--national", "13000", "-q")
    assert r.exit_code == 0, r.output
    return path


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_bad_input_exits_2_names_it_and_writes_nothing(tmp_path, case, monkeypatch, request):
    monkeypatch.delenv("SPREIDING_LEDGER", raising=False)
    argv, out = _materialise(tmp_path, case)
    if any("{ledger}" in a for a in argv):
        import shutil

        ledger = tmp_path / "ledger.sqlite"
        shutil.copy(request.getfixturevalue("opened_ledger"), ledger)
        argv = [a.replace("{ledger}", str(ledger)) for a in argv]
    r = invoke(*argv)
    message = r.stderr
    assert r.exit_code == 2, (r.exit_code, r.output, repr(r.exception))
    assert "Traceback" not in r.output and not isinstance(r.exception, (AttributeError, KeyError, TypeError))
    missing = [w for w in case.words if w.lower() not in message.lower()]
    assert not missing, f"{missing} not in: {message}"
    # a rule is stated: every violation line ends in what was expected
    assert "nothing was written" in message or "Error" in message or "error" in message, message
    # nothing written: no output (with any suffix) and no temporary folder next to it
    parent = out.parent
    assert not parent.exists() or not any(parent.iterdir()), list(parent.iterdir())
