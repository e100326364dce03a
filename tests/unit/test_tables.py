"""Tests of optimizer.core.tables: reading CSV/XLSX/Parquet as text, clear errors, atomic outputs."""

from __future__ import annotations

import pandas as pd
import pytest

from optimizer.core.errors import InputError
from optimizer.core.tables import atomic_output_dir, atomic_output_file, check_output_suffix, read_table, write_table


def single_violation(path) -> object:
    with pytest.raises(InputError) as exc:
        read_table(path)
    assert len(exc.value.violations) == 1
    return exc.value.violations[0]


# --------------------------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------------------------

def test_csv_comma_separated(tmp_path):
    p = tmp_path / "a.csv"
    p.write_text('gm_code,naam,value\nGM0014,"Groningen, stad",007\nGM0034,Almere,\n', encoding="utf-8")
    df = read_table(p)
    assert list(df.columns) == ["gm_code", "naam", "value"]
    assert df.to_dict("list") == {"gm_code": ["GM0014", "GM0034"], "naam": ["Groningen, stad", "Almere"],
                                  "value": ["007", ""]}  # text: leading zeros kept, empty cell is ""


def test_csv_semicolon_separated_with_decimal_commas(tmp_path):
    p = tmp_path / "b.csv"
    p.write_text("gm_code;target;note\nGM0014;2,5;a\nGM0034;3;NA\n", encoding="utf-8")
    df = read_table(p)
    assert list(df.columns) == ["gm_code", "target", "note"]
    assert df["target"].tolist() == ["2,5", "3"]
    assert df["note"].tolist() == ["a", "NA"]  # "NA" is text, not a missing value


def test_csv_utf8_with_bom_and_padded_header(tmp_path):
    p = tmp_path / "bom.csv"
    p.write_bytes("\ufeff gm_code , naam \nGM0363, Amsterdam \nGM0014,Zuidbroek é\n".encode("utf-8"))
    df = read_table(p)
    assert list(df.columns) == ["gm_code", "naam"]  # no BOM glued to the first name, stripped
    assert df["naam"].tolist() == ["Amsterdam", "Zuidbroek é"]


def test_csv_crlf_line_endings(tmp_path):
    p = tmp_path / "crlf.csv"
    p.write_bytes(b"a,b\r\n1,2\r\n3,4\r\n")
    assert read_table(p).to_dict("list") == {"a": ["1", "3"], "b": ["2", "4"]}


def test_csv_latin1_is_wrong_encoding_with_line(tmp_path):
    p = tmp_path / "latin1.csv"
    p.write_bytes("gm_code;naam\nGM0014;Groningen\nGM0034;Almere\nGM0037;Caf\u00e9\n".encode("latin-1"))
    v = single_violation(p)
    assert v.file == str(p)
    assert v.row == 4  # header is line 1, 'é' is on line 4
    assert "wrong encoding" in v.rule and "UTF-8" in v.rule and "0xe9" in v.rule


def test_csv_latin1_on_header_line(tmp_path):
    p = tmp_path / "latin1h.csv"
    p.write_bytes("gm_code,pr\u00e9sence\nGM0014,1\n".encode("latin-1"))
    v = single_violation(p)
    assert v.row == 1 and "wrong encoding" in v.rule


@pytest.mark.parametrize("content", [b"", b"\n\n", b"   \n"])
def test_csv_empty_file(tmp_path, content):
    p = tmp_path / "empty.csv"
    p.write_bytes(content)
    v = single_violation(p)
    assert v.file == str(p) and "empty" in v.rule


def test_csv_header_only(tmp_path):
    p = tmp_path / "header.csv"
    p.write_text("gm_code,population\n", encoding="utf-8")
    v = single_violation(p)
    assert v.file == str(p) and "no data rows" in v.rule


def test_csv_ragged_rows_become_input_error(tmp_path):
    p = tmp_path / "ragged.csv"
    p.write_text("a,b\n1,2\n3,4,5,6\n", encoding="utf-8")
    v = single_violation(p)
    assert v.file == str(p) and "could not be read as CSV" in v.rule


def test_missing_file(tmp_path):
    p = tmp_path / "nope.csv"
    v = single_violation(p)
    assert v.file == str(p) and "not found" in v.rule


@pytest.mark.parametrize("name", ["data.txt", "data.xls", "data.json", "data"])
def test_unsupported_suffix(tmp_path, name):
    p = tmp_path / name
    p.write_text("a,b\n1,2\n", encoding="utf-8")
    v = single_violation(p)
    assert "unsupported file type" in v.rule and ".csv" in v.rule


def test_uppercase_suffix_accepted(tmp_path):
    p = tmp_path / "DATA.CSV"
    p.write_text("a\n1\n", encoding="utf-8")
    assert read_table(p)["a"].tolist() == ["1"]


# --------------------------------------------------------------------------------------------
# XLSX and Parquet
# --------------------------------------------------------------------------------------------

FRAME = pd.DataFrame({"household_id": ["H001", "H002", "H003"], "persons": [1, 4, 12],
                      "adult_ages": ["30", "40;38", ""], "naam": ["Súdwest-Fryslân", "'s-Gravenhage", "Den Haag"]})
AS_TEXT = {"household_id": ["H001", "H002", "H003"], "persons": ["1", "4", "12"],
           "adult_ages": ["30", "40;38", ""], "naam": ["Súdwest-Fryslân", "'s-Gravenhage", "Den Haag"]}


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".parquet"])
def test_round_trip_as_text(tmp_path, suffix):
    p = write_table(FRAME, tmp_path / f"t{suffix}")
    assert p.exists()
    df = read_table(p)
    assert list(df.columns) == list(FRAME.columns)
    assert df.to_dict("list") == AS_TEXT


def test_parquet_missing_values_become_empty_text(tmp_path):
    p = write_table(pd.DataFrame({"a": ["x", None], "b": [1.5, None]}), tmp_path / "m.parquet")
    df = read_table(p)
    assert df["a"].tolist() == ["x", ""]
    assert df["b"].tolist() == ["1.5", ""]


def test_xlsx_header_only(tmp_path):
    p = write_table(pd.DataFrame({"a": [], "b": []}), tmp_path / "h.xlsx")
    v = single_violation(p)
    assert "no data rows" in v.rule


def test_corrupt_xlsx_and_parquet(tmp_path):
    for name in ("bad.xlsx", "bad.parquet"):
        p = tmp_path / name
        p.write_text("this is not a spreadsheet", encoding="utf-8")
        v = single_violation(p)
        assert v.file == str(p) and "could not be read" in v.rule


def test_write_table_rejects_unknown_suffix(tmp_path):
    with pytest.raises(ValueError, match="unsupported output type"):
        write_table(FRAME, tmp_path / "x.txt")
    assert not (tmp_path / "x.txt").exists()


def test_check_output_suffix():
    check_output_suffix("out/x.csv")
    check_output_suffix("x.XLSX")
    with pytest.raises(InputError) as exc:
        check_output_suffix("out/x.json")
    assert "unsupported output type '.json'" in exc.value.violations[0].rule


# --------------------------------------------------------------------------------------------
# Atomic outputs
# --------------------------------------------------------------------------------------------

SPREIDING_RECORD = '{\n  "engine": "spreiding"\n}\n'


def test_atomic_output_dir_success(tmp_path):
    out = tmp_path / "run" / "proposal"
    with atomic_output_dir(out) as tmp:
        assert tmp != out and tmp.parent == out.parent
        write_table(FRAME, tmp / "proposal.csv")
        (tmp / "run.json").write_text("{}", encoding="utf-8")
        assert not out.exists()  # nothing visible until the block completes
    assert sorted(p.name for p in out.iterdir()) == ["proposal.csv", "run.json"]
    assert read_table(out / "proposal.csv").to_dict("list") == AS_TEXT
    assert sorted(p.name for p in out.parent.iterdir()) == ["proposal"]  # temp folder gone


def test_atomic_output_dir_failure_leaves_nothing(tmp_path):
    out = tmp_path / "proposal"
    with pytest.raises(RuntimeError, match="solver crashed"), atomic_output_dir(out) as tmp:
        write_table(FRAME, tmp / "proposal.csv")
        raise RuntimeError("solver crashed")
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []  # no temp folder remains


def test_atomic_output_dir_failure_keeps_previous_output(tmp_path):
    out = tmp_path / "proposal"
    out.mkdir()
    (out / "proposal.csv").write_text("old\n1\n", encoding="utf-8")
    (out / "run.json").write_text(SPREIDING_RECORD, encoding="utf-8")  # an earlier output of spreiding
    with pytest.raises(KeyError), atomic_output_dir(out) as tmp:
        (tmp / "proposal.csv").write_text("new\n2\n", encoding="utf-8")
        raise KeyError("boom")
    assert (out / "proposal.csv").read_text(encoding="utf-8") == "old\n1\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["proposal"]


def test_atomic_output_dir_replaces_files_and_subfolders(tmp_path):
    out = tmp_path / "demo"
    (out / "proposal").mkdir(parents=True)
    (out / "proposal" / "stale.csv").write_text("x\n", encoding="utf-8")
    (out / "proposal" / "run.json").write_text(SPREIDING_RECORD, encoding="utf-8")
    (out / "state.csv").write_text("old\n", encoding="utf-8")
    with atomic_output_dir(out) as tmp:
        (tmp / "proposal").mkdir()
        (tmp / "proposal" / "proposal.csv").write_text("new\n", encoding="utf-8")
        (tmp / "state.csv").write_text("new\n", encoding="utf-8")
    assert (out / "state.csv").read_text(encoding="utf-8") == "new\n"
    assert sorted(p.name for p in (out / "proposal").iterdir()) == ["proposal.csv"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo"]


def test_atomic_output_file(tmp_path):
    target = tmp_path / "t.csv"
    with atomic_output_file(target) as tmp:
        assert tmp.suffix == ".csv" and tmp != target
        write_table(FRAME, tmp)
        assert not target.exists()
    assert read_table(target).to_dict("list") == AS_TEXT
    assert [p.name for p in tmp_path.iterdir()] == ["t.csv"]
    with pytest.raises(ValueError), atomic_output_file(tmp_path / "u.csv") as tmp:
        tmp.write_text("partial", encoding="utf-8")
        raise ValueError("stop")
    assert [p.name for p in tmp_path.iterdir()] == ["t.csv"]


def test_rerun_replaces_the_whole_folder_no_stale_files(tmp_path):
    out = tmp_path / "proposal"
    with atomic_output_dir(out) as tmp:
        for name in ("proposal.csv", "proposal.xlsx", "run.json"):
            (tmp / name).write_text(SPREIDING_RECORD, encoding="utf-8")
    with atomic_output_dir(out) as tmp:  # e.g. --no-xlsx: no proposal.xlsx this time
        (tmp / "proposal.csv").write_text("new\n", encoding="utf-8")
        (tmp / "run.json").write_text(SPREIDING_RECORD, encoding="utf-8")
    assert sorted(p.name for p in out.iterdir()) == ["proposal.csv", "run.json"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["proposal"]  # no temp or old folder left


@pytest.mark.parametrize("case", ["file", "below-file", "foreign-folder"])
def test_output_folder_refused_before_any_work(tmp_path, case):
    from optimizer.core.tables import check_output_dir

    if case == "file":
        out = tmp_path / "out"
        out.write_text("x", encoding="utf-8")
        rule = "is a file"
    elif case == "below-file":
        (tmp_path / "f").write_text("x", encoding="utf-8")
        out = tmp_path / "f" / "sub" / "out"
        rule = "it is a file, not a folder"
    else:
        out = tmp_path / "mine"
        out.mkdir()
        (out / "thesis.docx").write_text("precious", encoding="utf-8")
        rule = "did not write"
    before = sorted(str(p) for p in tmp_path.rglob("*"))
    with pytest.raises(InputError, match=rule) as exc:
        check_output_dir(out)
    assert exc.value.violations[0].file == "--out" and exc.value.violations[0].value == str(out)
    with pytest.raises(InputError, match=rule), atomic_output_dir(out):
        raise AssertionError("never reached: the folder is checked first")
    assert sorted(str(p) for p in tmp_path.rglob("*")) == before  # nothing written, nothing left


def test_output_file_refused_when_a_folder_or_below_a_file(tmp_path):
    from optimizer.core.tables import atomic_output_file

    (tmp_path / "dir.csv").mkdir()
    (tmp_path / "f").write_text("x", encoding="utf-8")
    for path, rule in ((tmp_path / "dir.csv", "is a folder"), (tmp_path / "f" / "t.csv", "not a folder")):
        with pytest.raises(InputError, match=rule), atomic_output_file(path):
            raise AssertionError("never reached")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dir.csv", "f"]


def test_xlsx_writes_formula_like_text_as_text(tmp_path):
    """Formula injection: ids or names from input files that start with = + - @ stay text."""
    from openpyxl import load_workbook

    frame = pd.DataFrame({"household_id": ["=HYPERLINK(\"http://x\")", "+31", "-2", "@SUM(A1)", "H1"],
                          "persons": [1, 2, -3, 4, 5]})
    path = write_table(frame, tmp_path / "t.xlsx")
    ws = load_workbook(path).active
    cells = [ws.cell(row=r, column=1) for r in range(2, 7)]
    assert [c.value for c in cells] == frame["household_id"].tolist()
    assert all(c.data_type == "s" for c in cells)
    assert [ws.cell(row=r, column=2).value for r in range(2, 7)] == [1, 2, -3, 4, 5]  # numbers stay numbers
    assert read_table(path)["household_id"].tolist() == frame["household_id"].tolist()


def test_header_notes_become_xlsx_comments_and_points_columns_are_noted(tmp_path):
    """The unit of columns in points is said in the output: a comment on their xlsx header."""
    import openpyxl

    from optimizer.koppeling.tables import points_notes

    df = pd.DataFrame({"household_id": ["H1"], "term_quota": [1.5], "alt1_delta": [2.0], "persons": [3]})
    df.attrs["notes"] = points_notes(df.columns, "en")
    assert set(df.attrs["notes"]) == {"term_quota", "alt1_delta"}
    assert points_notes(df.columns)["term_quota"].startswith("punten")  # Dutch by default
    path = write_table(df, tmp_path / "t.xlsx")
    ws = openpyxl.load_workbook(path)["data"]
    comments = {ws.cell(row=1, column=j).value: ws.cell(row=1, column=j).comment for j in range(1, 5)}
    assert "points" in comments["term_quota"].text and "points" in comments["alt1_delta"].text
    assert comments["persons"] is None and comments["household_id"] is None
