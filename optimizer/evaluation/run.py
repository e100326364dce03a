"""The province commands end to end: ``evaluate``, ``monitor`` and ``forecast``.

Each reads and checks every input first (bad input: one :class:`InputError`, nothing written),
computes its tables, and writes them into ``out`` as a whole folder (:func:`atomic_output_dir`):
the CSV tables, ``report.html`` and ``report.xlsx`` (:func:`optimizer.report.write_report`) and
``run.json`` (:class:`RunRecord`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path

import pandas as pd

from optimizer.core.errors import InputError, Violation
from optimizer.core.periods import Period
from optimizer.core.runrecord import RunRecord, inputs_record
from optimizer.core.tables import atomic_output_dir, check_output_dir, write_table
from optimizer.data import dataset
from optimizer.data.validation import check_unique, validate
from optimizer.evaluation import distribution, forecast, monitoring, sources
from optimizer.evaluation.distribution import DEFAULT_TOLERANCE
from optimizer.evaluation.reports import evaluate_report, forecast_report, monitor_report
from optimizer.report import Report, write_report
from optimizer.report.strings import texts


def write_outputs(out: str | Path, tables: dict[str, pd.DataFrame], report: Report, record: RunRecord) -> None:
    """The tables as CSV, the report and run.json, replacing ``out`` as a whole."""
    with atomic_output_dir(out) as tmp:
        for name, table in tables.items():
            write_table(table, tmp / f"{name}.csv")
        record.outputs = sorted([*(f"{n}.csv" for n in tables), *write_report(report, tmp), "run.json"])
        record.write(tmp / "run.json")


# ------------------------------------------------------------------------------------------
# evaluate
# ------------------------------------------------------------------------------------------

@dataclass
class EvaluateConfig:
    """What ``spreiding evaluate`` is given: one source, at most one target, options."""

    out: Path
    distribution: Path | None = None
    column: str | None = None
    ledger: Path | None = None
    reception: bool = False
    reception_file: Path | None = None
    measure: str = "housed"
    period: Period | None = None
    day: date | None = None
    key: str | None = None
    targets: Path | None = None
    national: int | None = None
    rounding: str = "up"
    tolerance: float = DEFAULT_TOLERANCE
    lang: str = "nl"


def load_distribution(cfg: EvaluateConfig) -> sources.Distribution:
    """The one source given (a file or folder, the ledger, or reception capacity)."""
    given = [n for n, v in (("--distribution", cfg.distribution), ("--ledger", cfg.ledger),
                            ("--reception-capacity", cfg.reception or cfg.reception_file)) if v]
    if len(given) != 1:
        raise InputError(Violation(" / ".join(given) or "--distribution", "give exactly one source: --distribution "
                                   "FILE|FOLDER, --ledger FILE (with --period) or --reception-capacity"))
    if cfg.distribution is not None:
        if not cfg.distribution.exists():
            raise InputError(Violation("--distribution", "file or folder not found", value=str(cfg.distribution)))
        return sources.from_table(cfg.distribution, cfg.column)
    if cfg.ledger is not None:
        if cfg.period is None:
            raise InputError(Violation("--period", "the ledger needs --period (the half-year to evaluate)"))
        return sources.from_ledger(cfg.ledger, cfg.period, cfg.day or cfg.period.end, cfg.measure)
    return sources.from_reception(cfg.reception_file)


def run_evaluate(cfg: EvaluateConfig) -> dict:
    """Evaluate a distribution; write gemeenten.csv, provinces.csv, summary.csv, lorenz.csv,
    household_types.csv (proposals), the report and run.json. Returns the summary."""
    t0 = time.perf_counter()
    check_output_dir(cfg.out)
    dist = load_distribution(cfg)
    target_period = None if cfg.ledger is not None else cfg.period
    target, target_kind, target_params = sources.choose_target(dist, period=target_period, key=cfg.key,
                                                               targets=cfg.targets, national=cfg.national,
                                                               rounding=cfg.rounding)
    t = texts("evaluate", cfg.lang)
    population, population_date = sources.population_for(cfg.period)
    gem = distribution.gemeente_table(dist.actual, target, population, dataset.load_gemeenten(), cfg.tolerance)
    summary = distribution.overall(gem, cfg.tolerance)
    tables = {"gemeenten": gem, "provinces": distribution.province_table(gem),
              "summary": pd.DataFrame([summary]), "lorenz": distribution.lorenz_points(gem)}
    if dist.proposal is not None:
        tables["household_types"] = distribution.household_outcomes(dist.proposal)
    info = {"source": dist.source, "target": t[f"target_{target_kind}"].format(**target_params),
            "unit": t[dist.unit], "population_date": population_date}
    report = evaluate_report(tables, summary, info, cfg.lang)
    record = RunRecord(command="evaluate", inputs=inputs_record({**dist.inputs, "targets": cfg.targets}),
                       notes=dist.notes)
    for key, value in {"source_kind": dist.kind, "source": dist.source, "unit": dist.unit,
                       "target": {"kind": target_kind, **target_params}, "population_date": population_date,
                       "tolerance": cfg.tolerance, "summary": summary, "lang": cfg.lang}.items():
        setattr(record, key, value)
    record.timings_seconds = {"total": time.perf_counter() - t0}
    write_outputs(cfg.out, tables, report, record)
    return summary


# ------------------------------------------------------------------------------------------
# monitor
# ------------------------------------------------------------------------------------------

@dataclass
class MonitorConfig:
    """What ``spreiding monitor`` is given: realisations (a file or the ledger), excuses, rules."""

    out: Path
    realisations: Path | None = None
    ledger: Path | None = None
    excuses: Path | None = None
    rules: str | None = None
    lang: str = "nl"


EXCUSE_COLUMNS = ("linked_by_deadline", "incomplete_dossiers", "awaiting_nareizigers", "excused")


def realisations_from_ledger(path: Path) -> tuple[pd.DataFrame, list[str]]:
    """The closed half-years of the ledger as realisation rows (taakstelling incl. uitruil,
    carry-over in, housed, persons linked by the koppel deadline incl. the pipeline)."""
    from optimizer.cycle.ledger import open_ledger
    from optimizer.cycle.status import period_status

    rows, notes = [], []
    with open_ledger(path) as ledger:
        for period in ledger.periods():
            record = ledger.period(period)
            if record is None or not record.closed:
                notes.append(f"{period} is not closed in the ledger: no peildatum yet, left out")
                continue
            status = period_status(ledger, period, period.koppel_deadline)
            targets = ledger.frame("SELECT gm_code, taakstelling + swaps_delta AS taakstelling, carry_in, housed "
                                   "FROM period_targets WHERE period = ?", (str(period),)).set_index("gm_code")
            targets["linked_by_deadline"] = (status["linked"] + status["pipeline_in"]).reindex(targets.index)
            rows.append(targets.reset_index().assign(period=str(period)))
    if not rows:
        raise InputError(Violation("--ledger", "no closed half-year in the ledger: nothing to monitor yet",
                                   value=str(path)))
    return pd.concat(rows, ignore_index=True).astype(str), notes


def merge_excuses(real: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Realisations with the columns of an excuses file (gm_code, period and any of
    :data:`EXCUSE_COLUMNS`) filled in where the file has a row."""
    cols = [c for c in monitoring.REALISATION_COLUMNS if c.name in ("gm_code", "period", *EXCUSE_COLUMNS)]
    exc, name = validate(path, cols, checks=(partial(check_unique, columns=("gm_code", "period")),))
    known = set(zip(real["gm_code"], real["period"]))
    unknown = [Violation(name, "no realisation for this gemeente and half-year", row=i + 2, column="gm_code+period",
                         value=f"{g}|{p}") for i, (g, p) in enumerate(zip(exc["gm_code"], exc["period"]))
               if (g, p) not in known]
    if unknown:
        raise InputError(unknown)
    merged = real.merge(exc, on=["gm_code", "period"], how="left", suffixes=("", "_excuse"))
    for c in EXCUSE_COLUMNS:
        extra = merged.pop(f"{c}_excuse")
        merged[c] = extra.astype(object).where(extra.notna(), merged[c].astype(object)).astype(real[c].dtype)
    merged.attrs = real.attrs
    return merged


def reason_text(row: pd.Series, t: dict[str, str]) -> str:
    """Why the fair rule excused this peildatum, in the report's language."""
    within = row["shortfall"] <= row["tolerance"]
    parts = [t["reason_tolerance"].format(n=int(row["shortfall"]), t=int(row["tolerance"])) if within
             else t["shortfall_of"].format(n=int(row["shortfall"]))]
    if not pd.isna(row["excused"]) and bool(row["excused"]):
        parts.append(t["reason_excused"])
    for col, key in (("excusable_coa", "reason_coa"), ("excusable_dossiers", "reason_dossiers"),
                     ("excusable_nareizigers", "reason_nareizigers")):
        if int(row[col]) > 0:
            parts.append(t[key].format(n=int(row[col])))
    return t["reason_join"].join(parts)


def _named(table: pd.DataFrame) -> pd.DataFrame:
    gem = dataset.load_gemeenten()
    out = table.copy()
    out.insert(1, "gm_naam", out["gm_code"].map(gem["gm_naam"]))
    out.insert(2, "provincie", out["gm_code"].map(gem["provincie"]))
    out["period"] = out["period"].astype(str)
    return out


STOPLICHT_COLUMNS = ("gm_code", "gm_naam", "provincie", "period", "peildatum", "taakstelling", "carry_in", "required",
                     "housed", "shortfall", "linked_by_deadline", "coa_shortfall", "incomplete_dossiers",
                     "awaiting_nareizigers", "excused", "excusable_coa", "excusable_dossiers", "excusable_nareizigers",
                     "excusable_persons", "tolerance", "verdict_strict",
                     "verdict_fair", "misses_strict", "misses_fair", "step_strict", "step_fair", "step_name_strict",
                     "step_name_fair", "takeover_strict", "takeover_fair")


def monitor_tables(table: pd.DataFrame, lang: str) -> dict[str, pd.DataFrame]:
    """stoplicht (every peildatum), ladder (the last), spared (with reasons), provinces."""
    t = texts("monitor", lang)
    table = _named(table)[list(STOPLICHT_COLUMNS)]
    spared = monitoring.spared(table)
    spared = spared.assign(reason=[reason_text(r, t) for _, r in spared.iterrows()])
    spared = spared[["gm_code", "gm_naam", "provincie", "period", "peildatum", "shortfall", "step_strict",
                     "step_fair", "reason"]]
    last = monitoring.latest(table)
    spared["step_strict"] = spared["gm_code"].map(last.set_index("gm_code")["step_strict"])
    spared["step_fair"] = spared["gm_code"].map(last.set_index("gm_code")["step_fair"])
    prov = []
    for mode in ("strict", "fair"):
        counts = table.groupby(["peildatum", "provincie"])[f"verdict_{mode}"].value_counts().unstack(fill_value=0)
        counts = counts.reindex(columns=list(monitoring.VERDICTS), fill_value=0).add_prefix(f"{mode}_")
        prov.append(counts)
    provinces = pd.concat(prov, axis=1).reset_index()
    return {"stoplicht": table, "ladder": last, "spared": spared, "provinces": provinces}


def run_monitor(cfg: MonitorConfig) -> dict:
    """Stoplicht and interventieladder over the half-years given; returns counts."""
    t0 = time.perf_counter()
    check_output_dir(cfg.out)
    rules = monitoring.load_rules(cfg.rules)
    if (cfg.realisations is None) == (cfg.ledger is None):
        raise InputError(Violation("--realisations / --ledger", "give exactly one of --realisations FILE and "
                                                                "--ledger FILE"))
    notes: list[str] = []
    if cfg.ledger is not None:
        raw, notes = realisations_from_ledger(cfg.ledger)
        real = monitoring.load_realisations(raw, f"{cfg.ledger} (closed half-years)")
    else:
        real = monitoring.load_realisations(cfg.realisations)
    if cfg.excuses is not None:
        real = merge_excuses(real, cfg.excuses)
    table = monitoring.monitor(monitoring.fill_taakstelling(real), rules)
    tables = monitor_tables(table, cfg.lang)
    peildata = sorted(set(tables["stoplicht"]["peildatum"]))
    info = {"rules": f"{rules.name} ({rules.source})", "peildata": peildata, "spared": int(tables["spared"]["gm_code"].nunique()),
            "tolerance": rules.stoplicht.tolerance_persons}
    last = tables["ladder"]
    counts = {mode: {v: int((last[f"verdict_{mode}"] == v).sum()) for v in monitoring.VERDICTS}
              for mode in ("strict", "fair")}
    record = RunRecord(command="monitor", inputs=inputs_record({"realisations": cfg.realisations,
                                                                "ledger": cfg.ledger, "excuses": cfg.excuses}),
                       variant={"name": rules.name, "file": rules.source, "sha256": rules.sha256,
                                "settings": rules.model_dump()}, notes=notes)
    for key, value in {"peildata": peildata, "last_peildatum": counts, "spared_gemeenten": info["spared"],
                       "lang": cfg.lang}.items():
        setattr(record, key, value)
    record.timings_seconds = {"total": time.perf_counter() - t0}
    write_outputs(cfg.out, tables, monitor_report(tables, info, cfg.lang), record)
    return {"last_peildatum": counts, "spared": info["spared"], "peildata": peildata}


# ------------------------------------------------------------------------------------------
# forecast
# ------------------------------------------------------------------------------------------

@dataclass
class ForecastConfig:
    """What ``spreiding forecast`` is given: the pipeline, the date, and a proposal or ledger."""

    out: Path
    pipeline: Path
    day: date
    proposal: Path | None = None
    ledger: Path | None = None
    lang: str = "nl"


def share_weights(cfg: ForecastConfig) -> tuple[pd.Series, str, dict[str, str], pd.Series | None, dict]:
    """Weights of the gemeenten for households without a known gemeente, where they come from
    (``ledger``, ``proposal``, ``taakstelling`` or ``population``, with parameters), the gemeente
    known per household id (proposal or ledger), and the files read."""
    if cfg.proposal is not None and cfg.ledger is not None:
        raise InputError(Violation("--proposal / --ledger", "give at most one of --proposal and --ledger"))
    period = Period.of(cfg.day)
    if cfg.ledger is not None:
        from optimizer.cycle.ledger import open_ledger
        from optimizer.cycle.status import period_status

        with open_ledger(cfg.ledger) as ledger:
            status = period_status(ledger, period, cfg.day)
            known = ledger.frame("SELECT household_id, gm_code FROM koppelingen").set_index("household_id")["gm_code"]
        return (status["to_link"].astype(float), "ledger", {"period": str(period), "day": cfg.day.isoformat()}, known,
                {"ledger": cfg.ledger})
    if cfg.proposal is not None:
        dist = sources.from_proposal(cfg.proposal)
        rows = dist.proposal
        known = None if rows is None else rows[rows["status"] == "linked"].set_index("household_id")["gm_code"]
        weights = dist.target if dist.target is not None else dist.actual
        return weights, "proposal", {"folder": str(cfg.proposal)}, known, dist.inputs
    try:
        return sources.period_target(period), "taakstelling", {"period": str(period)}, None, {}
    except InputError:
        population, day = sources.population_for(None)
        return population.astype(float), "population", {"period": str(period), "day": day}, None, {}


def run_forecast(cfg: ForecastConfig) -> dict:
    """Expected arrivals and children per gemeente and region over the next two months."""
    t0 = time.perf_counter()
    check_output_dir(cfg.out)
    if not cfg.pipeline.exists():
        raise InputError(Violation("--pipeline", "file not found", value=str(cfg.pipeline)))
    pipeline = forecast.load_pipeline(cfg.pipeline, cfg.day)
    weights, share_kind, share_params, known, read = share_weights(cfg)
    asg = forecast.assignment(pipeline, weights, known)
    t = texts("forecast", cfg.lang)
    share_text = t[f"shares_{share_kind}"].format(**share_params) + (t["shares_fallback"] if asg.population_fallback
                                                                    else "")
    gem, regions = forecast.forecast(pipeline, asg, cfg.day)
    tables = {"gemeenten": gem, "regions": regions}
    info = {"as_of": cfg.day.isoformat(), "households": len(pipeline), "known": int((asg.known >= 0).sum()),
            "share_source": share_text, "draws": forecast.DRAWS}
    totals = {"expected_persons": round(float(gem["expected_persons"].sum()), 4),
              "pipeline_expected_persons": round(float((pipeline["persons"] * pipeline["probability"]).sum()), 4),
              "expected_children": round(float(gem["expected_children"].sum()), 4)}
    record = RunRecord(command="forecast", inputs=inputs_record({"pipeline": cfg.pipeline, **read}))
    for key, value in {**info, "share_source": {"kind": share_kind, **share_params,
                                                "population_fallback": asg.population_fallback}, "totals": totals, "model": " ".join((forecast.__doc__ or "").split()),
                       "seed": forecast.SEED, "interval": list(forecast.QUANTILES), "lang": cfg.lang}.items():
        setattr(record, key, value)
    record.timings_seconds = {"total": time.perf_counter() - t0}
    write_outputs(cfg.out, tables, forecast_report(tables, info, cfg.lang), record)
    return totals
