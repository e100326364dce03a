"""Scenarios x policies x variants as tasks, serial or on Dask (``dask.distributed``).

A :class:`Task` is one (scenario, policy, variant, seed); :func:`run_task` draws the world from
the seed, runs the policy (or solves the hindsight model, policy ``hindsight``) and returns its
tables, every row keyed by :data:`KEY`. Nothing in a task depends on where it runs: HiGHS runs
with one thread and a fixed random seed, so the same seeds give the same tables serially and
on any cluster.

:func:`run_tasks` runs the tasks that are not stored yet: serially (``scheduler="serial"``), on
a ``LocalCluster`` of one single-threaded worker process per core that it starts and stops
(``scheduler=None``), or on an existing cluster (``scheduler="tcp://host:8786"``). Each finished
task is written by the client to the store (``<store>/<task slug>/<table>.parquet``, moved into
place only when complete), so a rerun resumes from what is stored; a failed task is reported
with its key and seed and does not stop the others. A text progress bar on stderr counts the
tasks done.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from optimizer.simulation.scenario import Scenario

KEY = ("scenario", "policy", "variant", "seed")
TABLES = ("summary", "weekly", "gemeenten", "household_types", "households")


@dataclass(frozen=True)
class Task:
    """One run: a policy (or ``hindsight``) on the world of ``scenario`` and ``seed``."""

    scenario: Scenario
    policy: str
    variant: str
    seed: int
    time_limit: float | None = None
    gap: float | None = None

    @property
    def key(self) -> dict:
        return {"scenario": self.scenario.name, "policy": self.policy, "variant": Path(self.variant).stem,
                "seed": self.seed}

    @property
    def slug(self) -> str:
        k = self.key
        return f"{k['scenario']}__{k['policy']}__{k['variant']}__{k['seed']}".replace("/", "_")


def run_task(task: Task) -> dict[str, pd.DataFrame]:
    """The tables of one task (:data:`TABLES`), keyed; ``seconds`` (CPU) in the summary."""
    from optimizer.koppeling.variant import load_variant
    from optimizer.simulation import metrics
    from optimizer.simulation.hindsight import hindsight_context
    from optimizer.simulation.policies import make_policy
    from optimizer.simulation.scenario import build_world
    from optimizer.simulation.weekly import simulate

    t0 = time.process_time()
    world = build_world(task.scenario, task.seed)
    variant = load_variant(task.variant)
    options = variant.solver.options(threads=1, random_seed=0, time_limit=task.time_limit, mip_rel_gap=task.gap)
    extra: dict = {}
    if task.policy == "hindsight":
        h = hindsight_context(world, variant, options)
        links = h.links
        extra = {"objective": h.objective, "bound": h.bound}
    else:
        h = hindsight_context(world, variant, options, solve=False)
        links = simulate(world, make_policy(task.policy, variant, options, task.seed)).links
    f = metrics.link_frame(world, links)
    row = {**metrics.summary(world, links, h.ctx), **extra}
    tables = {"summary": pd.DataFrame([row]),
              "weekly": metrics.weekly_series(world, f) if "link_day" in f else pd.DataFrame(),
              "gemeenten": metrics.gemeenten_end(world, f),
              "household_types": metrics.by_type(world, f, h.ctx),
              "households": metrics.household_rows(world, f)}
    out = {name: t.assign(**task.key)[list(KEY) + list(t.columns)] if len(t.columns) else t
           for name, t in tables.items()}
    out["summary"]["cpu_seconds"] = time.process_time() - t0
    return out


# ------------------------------------------------------------------------------------------
# The store: one folder per finished task
# ------------------------------------------------------------------------------------------

def stored(store: Path, task: Task) -> bool:
    return (store / task.slug / "summary.parquet").exists()


def save(store: Path, task: Task, tables: dict[str, pd.DataFrame]) -> None:
    """Write a task's tables to ``store/<slug>/`` (a temporary folder renamed into place)."""
    final = store / task.slug
    tmp = store / f".{task.slug}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for name, t in tables.items():
        t.to_parquet(tmp / f"{name}.parquet", index=False)
    shutil.rmtree(final, ignore_errors=True)
    tmp.rename(final)


def load(store: Path, tasks: Iterable[Task]) -> dict[str, pd.DataFrame]:
    """The stored tables of ``tasks``, concatenated and sorted by key (``cpu_seconds`` in the
    summary is the one column that differs between runs)."""
    parts: dict[str, list[pd.DataFrame]] = {n: [] for n in TABLES}
    for task in tasks:
        if stored(store, task):
            for n in TABLES:
                t = pd.read_parquet(store / task.slug / f"{n}.parquet")
                if len(t):
                    parts[n].append(t)
    out = {}
    for n, ps in parts.items():
        t = pd.concat(ps, ignore_index=True) if ps else pd.DataFrame(columns=list(KEY))
        out[n] = t.sort_values(list(KEY), kind="stable").reset_index(drop=True)
    return out


# ------------------------------------------------------------------------------------------
# Running: serial, LocalCluster, or an existing scheduler
# ------------------------------------------------------------------------------------------

def progress_bar(done: int, total: int, failed: int, width: int = 30) -> str:
    """``[#####.....] 12/40 tasks (1 failed)``."""
    n = int(width * done / total) if total else width
    tail = f" ({failed} failed)" if failed else ""
    return f"[{'#' * n}{'.' * (width - n)}] {done}/{total} tasks{tail}"


@dataclass
class Failure:
    key: dict
    error: str

    def record(self) -> dict:
        return {**self.key, "error": self.error}


def run_tasks(tasks: list[Task], store: Path, *, scheduler: str | None = None, workers: int | None = None,
              show: bool = True, task_fn: Callable[[Task], dict] = run_task) -> list[Failure]:
    """Run the tasks not yet in ``store``; return the failures (key, seed, error)."""
    store.mkdir(parents=True, exist_ok=True)
    todo = [t for t in tasks if not stored(store, t)]
    total, done, failures = len(tasks), len(tasks) - len(todo), []

    def finished(task: Task, tables: dict | None, error: str | None) -> None:
        nonlocal done
        done += 1
        if error is None:
            save(store, task, tables)
        else:
            failures.append(Failure(task.key, error))
        if show:
            print("\r" + progress_bar(done, total, len(failures)), end="", file=sys.stderr, flush=True)

    if show:
        print(progress_bar(done, total, 0), end="", file=sys.stderr, flush=True)
    if scheduler == "serial":
        for task in todo:
            try:
                finished(task, task_fn(task), None)
            except Exception as exc:  # a failed task is reported, the others go on
                finished(task, None, f"{type(exc).__name__}: {exc}")
    elif todo:
        _run_dask(todo, scheduler, workers, task_fn, finished)
    if show:
        print(file=sys.stderr)
    return failures


def _run_dask(todo: list[Task], scheduler: str | None, workers: int | None, task_fn: Callable,
              finished: Callable) -> None:
    """Submit every task; collect in completion order. ``scheduler`` None: a LocalCluster of
    ``workers`` (default: the cores) single-threaded processes, started and stopped here."""
    from dask.distributed import Client, LocalCluster, as_completed

    cluster = None
    if scheduler is None:
        _export_path()
        n = workers or os.cpu_count() or 1
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
    else:
        client = Client(scheduler)
    try:
        futures = {client.submit(task_fn, t, key=f"simulate-{t.slug}", pure=False): t for t in todo}
        for fut in as_completed(futures):
            task = futures[fut]
            try:
                finished(task, fut.result(), None)
            except Exception as exc:  # reported with its key and seed, the others go on
                finished(task, None, f"{type(exc).__name__}: {exc}".splitlines()[0])
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _export_path() -> None:
    """Worker processes import this copy of the engine: its folder goes first on PYTHONPATH."""
    import optimizer

    root = str(Path(optimizer.__file__).resolve().parents[1])
    paths = os.environ.get("PYTHONPATH", "").split(os.pathsep)
    if root not in paths:
        os.environ["PYTHONPATH"] = os.pathsep.join([root, *[p for p in paths if p]])

