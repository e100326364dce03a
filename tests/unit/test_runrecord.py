"""The one run record (RunRecord) and the one JSON writer (write_json)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import numpy as np

import optimizer
from optimizer.core.runrecord import InputFile, RunRecord, inputs_record, sha256_file, write_json


def test_write_json_makes_numpy_paths_dates_and_non_finite_values_plain(tmp_path):
    data = {"i": np.int64(3), "f": np.float32(0.5), "b": np.bool_(True), "nan": float("nan"), "inf": np.inf,
            "arr": np.array([1, 2]), "path": Path("a/b"), "day": date(2025, 8, 4), 7: "key"}
    out = json.loads(write_json(tmp_path / "x.json", data).read_text(encoding="utf-8"))
    assert out == {"i": 3, "f": 0.5, "b": True, "nan": None, "inf": None, "arr": [1, 2], "path": "a/b",
                   "day": "2025-08-04", "7": "key"}


def test_run_record_has_versions_hashes_and_keeps_problem_sections(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("a\n1\n", encoding="utf-8")
    record = RunRecord(command="test", inputs=inputs_record({"file": src, "frame": object(), "none": None}),
                       status="optimal", objective=1.5, bound=1.5, gap=0.0, summary={"x": 1})
    record.extra_section = [1, 2]
    data = json.loads(record.write(tmp_path / "run.json").read_text(encoding="utf-8"))
    assert data["engine"] == "spreiding" and data["engine_version"] == optimizer.__version__
    assert set(data["packages"]) == {"pyomo", "highspy", "pandas"}
    assert data["dataset_sha256"] and all(len(h) == 64 for h in data["dataset_sha256"].values())
    assert data["inputs"] == {"file": {"path": str(src), "sha256": sha256_file(src)}, "frame": None, "none": None}
    assert (data["status"], data["objective"], data["bound"], data["gap"]) == ("optimal", 1.5, 1.5, 0.0)
    assert data["summary"] == {"x": 1} and data["extra_section"] == [1, 2]


def test_input_file_relative_to_a_folder(tmp_path):
    (tmp_path / "sub").mkdir()
    src = tmp_path / "sub" / "f.csv"
    src.write_bytes(b"x")
    assert InputFile.of(src, relative_to=tmp_path).path == str(Path("sub") / "f.csv")
