"""Commands about the embedded dataset (``spreiding data``)."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from optimizer.cli.common import command, parse_date


def _lines(info: dict) -> list[str]:
    """The text report of :func:`optimizer.data.dataset.describe`."""
    out = [f"Embedded dataset in {info['data_dir']} (built by scripts/build_dataset.py; docs/data.md)", "",
           f"Municipal division: {info['gemeenten']} gemeenten in {info['provinces']} provinces, CBS codes of "
           f"{' = '.join(map(str, info['division']))}"]
    for d in info["divisions"]:
        via = f" (crosswalk {d['crosswalk']})" if d["crosswalk"] else ""
        out.append(f"  {d['division']}: {d['gemeenten']} gemeenten; herindelingen: {d['herindelingen']}{via}")
        out.append(f"        source: {d['source']}")
    out += ["", "Population on 1 January (a half-year uses 1 January of the preceding year, Huisvestingswet art. 29):"]
    for p in info["population"]:
        out.append(f"  {p['reference_date']}: {p['gemeenten']} gemeenten, national {p['national']:,}, "
                   f"for {' and '.join(p['used_for'])}")
        out.append(f"        source: {p['source']}")
    out += ["", "National taakstelling per half-year (persons):"]
    for t in info["national_taakstelling"]:
        out.append(f"  {t['period']}: {t['persons']:>6,}  {t['source']}")
    last = info["national_taakstelling"][-1]["period"] if info["national_taakstelling"] else "-"
    out.append(f"  after {last}: not embedded, give --national N")
    out += ["", "Modelled quantities (no public per-gemeente source):"]
    h, r = info["modelled"]["housing_modelled"], info["modelled"]["reception_modelled"]
    classes = ", ".join(f"{c.rsplit('_', 1)[-1]} {n:,}" for c, n in h["by_class"].items())
    out.append(f"  {h['file']}: {h['dwellings_per_halfyear']:,} dwellings offered to statushouders per half-year "
               f"({classes}); {h['gemeenten_without_offer']} gemeenten without an offer")
    out.append(f"        source: {h['source']}")
    out.append(f"  {r['file']}: {r['places']:,} existing reception places in {r['hosting_gemeenten']} gemeenten")
    out.append(f"        source: {r['source']}")
    out += ["", f"On {info['date']}:"]
    for c in info["coverage"]:
        pop = (f"population of {c['reference_date']} embedded" if c["population_embedded"] else
               f"population of {c['reference_date']} NOT embedded: give --population FILE"
               + (f" or --population-year {c['fallback_population_year']}" if c["fallback_population_year"] else ""))
        nat = (f"national {c['national']:,} embedded" if c["national"] is not None else
               "national total NOT embedded: give --national N")
        out.append(f"  {c['period']}: {pop}; {nat}")
    out += ["", "SHA-256: " + ", ".join(f"{k} {v[:12]}" for k, v in info["sha256"].items())]
    return out


@command
def data(
    as_json: Annotated[bool, typer.Option("--json", help="Print the description as JSON.")] = False,
    at: Annotated[str | None, typer.Option(
        "--date", help="Say what the half-year of this date (and the next) can use; default today.")] = None,
) -> None:
    """What the embedded dataset holds: divisions, population dates, national totals, modelled data, sources."""
    from optimizer.data.dataset import describe

    info = describe(parse_date(at, "--date"))
    typer.echo(json.dumps(info, indent=2, ensure_ascii=False) if as_json else "\n".join(_lines(info)))
