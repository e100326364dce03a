"""The task runner: serial and LocalCluster give identical tables; failures are reported with
their seed without losing the others; a rerun resumes from the store."""

from __future__ import annotations

import pandas as pd

from optimizer.simulation.runner import TABLES, Task, load, progress_bar, run_tasks
from optimizer.simulation.scenario import Scenario

SCENARIO = Scenario(provinces=("PV24",), weeks=2, scale=0.2)
TASKS = [Task(SCENARIO, p, "default", s) for s in (1, 2, 3, 4) for p in ("baseline", "weekly")]


def without_timing(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    return {n: t.drop(columns=["cpu_seconds"], errors="ignore") for n, t in tables.items()}


def test_serial_and_local_cluster_give_identical_tables(tmp_path):
    """4 small scenarios x (baseline, weekly): the same tables serially and on a
    LocalCluster of 2 worker processes; a task with an unknown variant fails on the cluster,
    is reported with its key and seed, and every other task is stored."""
    bad = Task(SCENARIO, "weekly", "no-such-variant", 7)
    assert run_tasks(TASKS, tmp_path / "serial", scheduler="serial", show=False) == []
    failures = run_tasks([*TASKS, bad], tmp_path / "dask", scheduler=None, workers=2, show=False)
    assert [(f.key["variant"], f.key["seed"]) for f in failures] == [("no-such-variant", 7)]
    assert "no-such-variant" in failures[0].error
    a = without_timing(load(tmp_path / "serial", TASKS))
    b = without_timing(load(tmp_path / "dask", TASKS))
    assert len(a["summary"]) == len(TASKS)
    for name in TABLES:
        pd.testing.assert_frame_equal(a[name], b[name])
    keys = a["summary"][["scenario", "policy", "variant", "seed"]]
    assert not keys.duplicated().any()


def test_rerun_resumes_from_the_store(tmp_path):
    """Stored tasks are not run again; only the missing one is (counted by the task function)."""
    calls: list[int] = []

    def fake(task: Task) -> dict[str, pd.DataFrame]:
        calls.append(task.seed)
        if task.seed == 2 and len(calls) <= 2:
            raise RuntimeError("boom")
        row = pd.DataFrame([{**task.key, "labour": float(task.seed)}])
        return {n: row for n in TABLES}

    tasks = [Task(SCENARIO, "baseline", "default", s) for s in (1, 2)]
    failures = run_tasks(tasks, tmp_path, scheduler="serial", show=False, task_fn=fake)
    assert [f.key["seed"] for f in failures] == [2]
    assert list(load(tmp_path, tasks)["summary"]["seed"]) == [1]
    assert run_tasks(tasks, tmp_path, scheduler="serial", show=False, task_fn=fake) == []
    assert calls == [1, 2, 2]
    assert list(load(tmp_path, tasks)["summary"]["seed"]) == [1, 2]


def test_progress_bar():
    assert progress_bar(3, 12, 1, width=12) == "[###.........] 3/12 tasks (1 failed)"
    assert progress_bar(0, 0, 0, width=4) == "[####] 0/0 tasks"
