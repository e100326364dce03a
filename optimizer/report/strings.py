"""Every user-facing string, one place for both languages (Dutch by default, English with
``--lang en``): the reports of every command, the province commands, a household's reason, the
statuses, the unit of points and what ``what-if`` prints. Code and docs stay English.

The strings are grouped in sections, each a table per language with the same keys (a test
checks every key in both languages, with the same placeholders), so a missing translation is a
test failure, not a blank in a report. :data:`STRINGS` joins them per language: a key is
``section.key`` (``reason.linked``, ``evaluate.title``), the renderer's and the engine reports'
own keys have no section (``summary``). Look one up with :func:`text` (placeholders as in
:meth:`str.format`, numbers written in the language's style: 0,25 in Dutch), or a whole section
with :func:`texts`. Column headers have their own table (:data:`COLUMN_LABELS`,
:func:`column_label`).
"""

from __future__ import annotations

import functools
import string
from typing import get_args

import pandas as pd

from optimizer.report.document import Lang

LANGS: tuple[str, ...] = get_args(Lang)


_REPORT: dict[str, dict[str, str]] = {
    "nl": {
        # the renderer
        "contents": "Inhoud",
        "summary": "Samenvatting",
        "search": "Zoeken",
        "search_placeholder": "Zoek in de tabel…",
        "rows": "{shown} van {total} rijen",
        "previous": "Vorige",
        "next": "Volgende",
        "page": "pagina {page} van {pages}",
        "detail": "Toelichting",
        "show_detail": "Toon toelichting",
        "sort_hint": "Klik op een kolomkop om te sorteren",
        "no_value": "geen gegevens",
        "source": "Bron: CBS, PDOK",
        "map_note": "Beweeg over een gemeente voor naam en waarde.",
        "no_map": "Geen kaart: geen gemeentegrenzen beschikbaar.",
        "made_by": "Gemaakt door spreiding {version}",
        "stoplicht_green": "voldoet",
        "stoplicht_orange": "voldoet niet, doch verschoonbaar",
        "stoplicht_red": "voldoet niet",
        "legend_to": "{low} tot {high}",
        # propose / demo
        "proposal_title": "Koppelingsvoorstel",
        "demo_title": "Koppelingsvoorstel (demo)",
        "status": "Status",
        "objective": "Doelfunctie",
        "objective_value": "{value} punten (gewogen som van de termen; lager is beter)",
        "gap": "Afstand tot ondergrens (gap)",
        "gap_unknown": "onbekend",
        "solve_optimal": "optimaal", "solve_feasible": "toegestaan, gestopt door een limiet (zie gap)",
        "solve_infeasible": "onmogelijk", "solve_unbounded": "onbegrensd", "solve_no_solution": "geen oplossing",
        "solve_error": "fout",
        "variant": "Variant",
        "households_linked": "Huishoudens gekoppeld",
        "households_linked_value": "{households} ({persons} personen)",
        "households_unplaced": "Huishoudens niet geplaatst",
        "households_excluded": "Huishoudens uitgesloten",
        "gemeenten_on_target": "Gemeenten op / onder / boven taak",
        "worst_deviation": "Grootste relatieve afwijking",
        "dissimilarity": "Aandeel personen dat anders verdeeld zou moeten worden",
        "notes": "Opmerkingen",
        "proposal_intro": "Voorstel voor de koppeling van {households} huishoudens aan gemeenten. Elke "
                          "koppeling is een voorstel: de toelichting per huishouden zegt waarom deze gemeente "
                          "en wat de alternatieven kosten.",
        "map_deviation": "Afwijking van de taak per gemeente",
        "map_deviation_caption": "Gekoppelde personen min de taak van deze batch, gedeeld door de taak "
                                 "(minimaal 1). Blauw: onder de taak, rood: erboven, wit: op de taak.",
        "legend_relative_deviation": "(gekoppeld − taak) / taak",
        "table_gemeenten": "Gemeenten",
        "table_gemeenten_caption": "Per gemeente: taak, gekoppelde personen en huishoudens, afwijking, "
                                   "woningen en kinderen per leeftijdsgroep.",
        "table_households": "Huishoudens",
        "table_households_elsewhere": "De {households:,} huishoudens staan in proposal.xlsx (dezelfde rijen, met alle "
                                      "kolommen) en in report.html; report.xlsx herhaalt ze niet boven {limit:,} "
                                      "huishoudens.",
        "table_households_caption": "Per huishouden: voorgestelde gemeente, termen en alternatieven; de "
                                    "toelichting staat één klik verder.",
        "table_provinces": "Provincies",
        "table_provinces_caption": "Per provincie: taak, gekoppelde personen en gemeenten op, onder en boven hun taak.",
        "table_household_types": "Huishoudtypen",
        "table_household_types_caption": "Per huishoudgrootte (alleen samenstelling van het huishouden): aandeel "
                                         "gekoppeld, arbeidsmarkt, COA-regio verlaten, woningpassing.",
        "chart_deviation": "Afwijking per gemeente",
        "chart_deviation_caption": "Gemeenten gesorteerd op afwijking (gekoppeld − taak, personen).",
        "axis_gemeenten": "gemeenten (gesorteerd)",
        "axis_deviation_persons": "afwijking (personen)",
        # reception
        "reception_title": "Opvangplaatsen: {variant}",
        "total_places": "Opvangplaatsen totaal",
        "new_places": "Nieuwe plaatsen",
        "gemeenten_with_places": "Gemeenten met opvang",
        "gini_places": "Gini van plaatsen per 1.000 inwoners",
        "bonus_total": "Bonussen (EUR per jaar)",
        "malus_total": "Malussen (EUR per jaar)",
        "net_cost_state": "Netto kosten Rijk (EUR per jaar)",
        "map_places": "Opvangplaatsen per 1.000 inwoners",
        "map_places_caption": "Plaatsen per 1.000 inwoners per gemeente in deze variant.",
        "legend_places_per_1000": "plaatsen per 1.000 inwoners",
        "map_reception_deviation": "Afwijking van de eerlijke verdeling",
        "map_reception_deviation_caption": "(plaatsen − eerlijk aandeel) / eerlijk aandeel, per gemeente.",
        "legend_reception_deviation": "(plaatsen − aandeel) / aandeel",
        "table_places": "Plaatsen per gemeente",
        "table_places_caption": "Per gemeente: eerlijk aandeel, bestaande en nieuwe plaatsen, betalingen.",
        "table_reception_provinces": "Plaatsen per provincie",
        "table_reception_provinces_caption": "Per provincie: plaatsen, aandeel en plaatsen per 1.000 inwoners.",
        # compare
        "compare_title": "Vergelijking van opvangvarianten",
        "variants": "Varianten",
        "best_gini": "Laagste Gini",
        "table_comparison": "Vergelijking",
        "table_comparison_caption": "Eén rij per variant: eerlijkheid, betalingen en kosten.",
        "table_quintiles": "Betalingen per inkomenskwintiel",
        "table_quintiles_caption": "Netto betaling per inkomenskwintiel van gemeenten (1 = laagste inkomen), "
                                   "EUR per jaar.",
        "chart_lorenz": "Lorenzcurven",
        "chart_lorenz_caption": "Lorenzcurve van plaatsen per 1.000 inwoners, gewogen met inwoners, per variant.",
        "axis_share_inhabitants": "aandeel inwoners",
        "axis_share_places": "aandeel opvangplaatsen",
        "equal_line": "gelijk per inwoner",
        "map_compare": "Plaatsen per 1.000 inwoners: {variant}",
    },
    "en": {
        "contents": "Contents",
        "summary": "Summary",
        "search": "Search",
        "search_placeholder": "Search the table…",
        "rows": "{shown} of {total} rows",
        "previous": "Previous",
        "next": "Next",
        "page": "page {page} of {pages}",
        "detail": "Explanation",
        "show_detail": "Show explanation",
        "sort_hint": "Click a column header to sort",
        "no_value": "no data",
        "source": "Bron: CBS, PDOK",
        "map_note": "Hover over a gemeente for its name and value.",
        "no_map": "No map: no gemeente boundaries available.",
        "made_by": "Made by spreiding {version}",
        "stoplicht_green": "meets the task",
        "stoplicht_orange": "misses it, excusably",
        "stoplicht_red": "misses it",
        "legend_to": "{low} to {high}",
        "proposal_title": "Koppeling proposal",
        "demo_title": "Koppeling proposal (demo)",
        "status": "Status",
        "objective": "Objective",
        "objective_value": "{value} points (weighted sum of the terms; lower is better)",
        "gap": "Gap to the bound",
        "gap_unknown": "unknown",
        "solve_optimal": "optimal", "solve_feasible": "feasible, stopped by a limit (see gap)",
        "solve_infeasible": "infeasible", "solve_unbounded": "unbounded", "solve_no_solution": "no solution",
        "solve_error": "error",
        "variant": "Variant",
        "households_linked": "Households linked",
        "households_linked_value": "{households} ({persons} persons)",
        "households_unplaced": "Households unplaced",
        "households_excluded": "Households excluded",
        "gemeenten_on_target": "Gemeenten on / under / over target",
        "worst_deviation": "Worst relative deviation",
        "dissimilarity": "Share of persons that would have to move to match the targets",
        "notes": "Notes",
        "proposal_intro": "Proposal linking {households} households to gemeenten. Every link is a proposal: "
                          "each household's explanation says why this gemeente and what the alternatives cost.",
        "map_deviation": "Deviation from target per gemeente",
        "map_deviation_caption": "Persons linked minus this batch's target, divided by the target (at least 1). "
                                 "Blue: below target, red: above, white: on target.",
        "legend_relative_deviation": "(linked − target) / target",
        "table_gemeenten": "Gemeenten",
        "table_gemeenten_caption": "Per gemeente: target, persons and households linked, deviation, dwellings and "
                                   "children by age band.",
        "table_households": "Households",
        "table_households_elsewhere": "The {households:,} households are in proposal.xlsx (the same rows, with every "
                                      "column) and in report.html; report.xlsx does not repeat them above {limit:,} "
                                      "households.",
        "table_households_caption": "Per household: proposed gemeente, terms and alternatives; the explanation is "
                                    "one click away.",
        "table_provinces": "Provinces",
        "table_provinces_caption": "Per province: target, persons linked and gemeenten on, under and over target.",
        "table_household_types": "Household types",
        "table_household_types_caption": "Per household size (household composition only): share linked, labour "
                                         "market, leaving the COA region, dwelling fit.",
        "chart_deviation": "Deviation per gemeente",
        "chart_deviation_caption": "Gemeenten sorted by deviation (linked − target, persons).",
        "axis_gemeenten": "gemeenten (sorted)",
        "axis_deviation_persons": "deviation (persons)",
        "reception_title": "Reception places: {variant}",
        "total_places": "Reception places in total",
        "new_places": "New places",
        "gemeenten_with_places": "Gemeenten with reception",
        "gini_places": "Gini of places per 1,000 inhabitants",
        "bonus_total": "Bonuses (EUR per year)",
        "malus_total": "Maluses (EUR per year)",
        "net_cost_state": "Net cost to the State (EUR per year)",
        "map_places": "Reception places per 1,000 inhabitants",
        "map_places_caption": "Places per 1,000 inhabitants per gemeente in this variant.",
        "legend_places_per_1000": "places per 1,000 inhabitants",
        "map_reception_deviation": "Deviation from the fair distribution",
        "map_reception_deviation_caption": "(places − fair share) / fair share, per gemeente.",
        "legend_reception_deviation": "(places − share) / share",
        "table_places": "Places per gemeente",
        "table_places_caption": "Per gemeente: fair share, existing and new places, payments.",
        "table_reception_provinces": "Places per province",
        "table_reception_provinces_caption": "Per province: places, share and places per 1,000 inhabitants.",
        "compare_title": "Comparison of reception variants",
        "variants": "Variants",
        "best_gini": "Lowest Gini",
        "table_comparison": "Comparison",
        "table_comparison_caption": "One row per variant: fairness, payments and cost.",
        "table_quintiles": "Payments by income quintile",
        "table_quintiles_caption": "Net payment per income quintile of gemeenten (1 = lowest income), EUR per year.",
        "chart_lorenz": "Lorenz curves",
        "chart_lorenz_caption": "Lorenz curve of places per 1,000 inhabitants, weighted by inhabitants, per variant.",
        "axis_share_inhabitants": "share of inhabitants",
        "axis_share_places": "share of reception places",
        "equal_line": "equal per inhabitant",
        "map_compare": "Places per 1,000 inhabitants: {variant}",
    },
}


_EVALUATE: dict[str, dict[str, str]] = {
    "nl": {
        "title": "Evaluatie van een verdeling over gemeenten",
        "target_period": "taakstelling {period} (afronding {rounding})", "target_file": "doelen uit {file}",
        "target_own": "het eigen doel van de bron", "target_key": "sleutel '{key}' over hetzelfde totaal",
        "persons": "personen", "places": "plaatsen",
        "source": "Bron", "target": "Doel", "unit": "Eenheid", "total_target": "Totaal doel",
        "total_actual": "Totaal werkelijk", "gini": "Gini (last per inwoner)", "theil": "Theil (last per inwoner)",
        "within": "Gemeenten binnen de tolerantie", "worst": "Grootste relatieve afwijking",
        "nothing": "Gemeenten zonder iets", "nothing_target": "waarvan met een doel > 0",
        "intro": "Per gemeente: doel, werkelijk, afwijking (absoluut, relatief) en per 1.000 inwoners "
                 "(inwoners op {population_date}). Gini en Theil meten hoe ongelijk de last per inwoner is "
                 "(0 = iedere inwoner draagt evenveel).",
        "map": "Afwijking per 1.000 inwoners", "map_caption": "Werkelijk min doel, per 1.000 inwoners",
        "map_legend": "tekort (-) / overschot (+) per 1.000 inwoners",
        "gemeenten": "Gemeenten", "gemeenten_caption": "Doel, werkelijk en afwijking per gemeente",
        "provinces": "Provincies", "provinces_caption": "Doel, werkelijk en afwijking per provincie",
        "lorenz": "Lorenzcurve", "lorenz_caption": "Aandeel inwoners tegen aandeel van het totaal, gemeenten "
                                                   "gesorteerd op last per inwoner",
        "lorenz_x": "aandeel inwoners", "lorenz_y": "aandeel van het totaal", "equal": "gelijke last",
        "lorenz_points": "Lorenzpunten",
        "types": "Huishoudtypen", "types_caption": "Uitkomsten per huishoudtype (alleen samenstelling): aandeel "
                                                   "geplaatst, arbeidsscore, COA-regio verlaten, woningpassing",
    },
    "en": {
        "title": "Evaluation of a distribution over gemeenten",
        "target_period": "taakstelling {period} (rounding {rounding})", "target_file": "targets from {file}",
        "target_own": "the source's own target", "target_key": "key '{key}' over the same total",
        "persons": "persons", "places": "places",
        "source": "Source", "target": "Target", "unit": "Unit", "total_target": "Total target",
        "total_actual": "Total actual", "gini": "Gini (burden per inhabitant)",
        "theil": "Theil (burden per inhabitant)", "within": "Gemeenten within the tolerance",
        "worst": "Worst relative deviation", "nothing": "Gemeenten with nothing",
        "nothing_target": "of which with a target > 0",
        "intro": "Per gemeente: target, actual, deviation (absolute, relative) and per 1,000 inhabitants "
                 "(inhabitants on {population_date}). Gini and Theil measure how unequal the burden per "
                 "inhabitant is (0 = every inhabitant carries the same).",
        "map": "Deviation per 1,000 inhabitants", "map_caption": "Actual minus target, per 1,000 inhabitants",
        "map_legend": "short (-) / over (+) per 1,000 inhabitants",
        "gemeenten": "Gemeenten", "gemeenten_caption": "Target, actual and deviation per gemeente",
        "provinces": "Provinces", "provinces_caption": "Target, actual and deviation per province",
        "lorenz": "Lorenz curve", "lorenz_caption": "Share of inhabitants against share of the total, gemeenten "
                                                    "sorted by burden per inhabitant",
        "lorenz_x": "share of inhabitants", "lorenz_y": "share of the total", "equal": "equal burden",
        "lorenz_points": "Lorenz points",
        "types": "Household types", "types_caption": "Outcomes per household type (composition only): share "
                                                     "placed, labour score, COA region left, dwelling fit",
    },
}


_MONITOR: dict[str, dict[str, str]] = {
    "nl": {
        "title": "Monitoring huisvesting statushouders: stoplicht en interventieladder",
        "rules": "Regels", "peildata": "Peildata", "last": "Laatste peildatum",
        "green": "voldoet", "orange": "voldoet niet, doch verschoonbaar", "red": "voldoet niet",
        "strict": "streng", "fair": "redelijk", "spared": "Gemeenten die de redelijke regel spaart",
        "intro": "Streng: een tekort van één persoon telt als niet voldaan. Redelijk: een tolerantie van "
                 "{tolerance} personen en correcties voor verschoonbare tekorten (onvolledige dossiers, te "
                 "weinig koppelingen door het COA, wachten op nareizigers); een verschoonbaar tekort bevriest "
                 "de trede op de interventieladder.",
        "map_fair": "Stoplicht (redelijk) op {day}", "map_strict": "Stoplicht (streng) op {day}",
        "map_legend": "groen: voldoet; oranje: voldoet niet, doch verschoonbaar; rood: voldoet niet",
        "map_step": "Trede op de interventieladder (redelijk) op {day}",
        "map_step_legend": "trede (0 = geen)",
        "stoplicht": "Stoplicht per gemeente per peildatum", "stoplicht_caption": "Beide regels naast elkaar",
        "ladder": "Interventieladder (laatste peildatum)",
        "ladder_caption": "Trede per gemeente onder de strenge en de redelijke regel",
        "spared_caption": "Per gemeente de peildata die de redelijke regel verschoonde, en waarom",
        "provinces": "Provincies per peildatum", "provinces_caption": "Aantal gemeenten per kleur",
        "none_spared": "De redelijke regel spaart geen enkele gemeente een trede.",
        "reason_excused": "door de provincie verschoonbaar verklaard",
        "reason_tolerance": "tekort van {n} binnen de tolerantie van {t}",
        "reason_coa": "{n} personen te weinig gekoppeld door het COA vóór de koppeldatum",
        "reason_dossiers": "{n} gekoppelde personen met onvolledig dossier (geen BSN of IBAN)",
        "reason_nareizigers": "{n} personen wachten op nareizigers",
        "reason_join": "; ", "shortfall_of": "tekort {n}",
    },
    "en": {
        "title": "Monitoring statushouder housing: stoplicht and interventieladder",
        "rules": "Rules", "peildata": "Peildata", "last": "Last peildatum",
        "green": "meets (voldoet)", "orange": "misses, excusably (verschoonbaar)", "red": "misses (voldoet niet)",
        "strict": "strict", "fair": "fair", "spared": "Gemeenten the fair rule spares",
        "intro": "Strict: a shortfall of one person counts as a miss. Fair: a tolerance of {tolerance} persons "
                 "and corrections for excusable misses (incomplete dossiers, COA linking too few, households "
                 "waiting for nareizigers); an excusable miss freezes the step on the interventieladder.",
        "map_fair": "Stoplicht (fair) on {day}", "map_strict": "Stoplicht (strict) on {day}",
        "map_legend": "green: meets; orange: misses, excusably; red: misses",
        "map_step": "Step on the interventieladder (fair) on {day}",
        "map_step_legend": "step (0 = none)",
        "stoplicht": "Stoplicht per gemeente per peildatum", "stoplicht_caption": "Both rules side by side",
        "ladder": "Interventieladder (last peildatum)",
        "ladder_caption": "Step per gemeente under the strict and the fair rule",
        "spared_caption": "Per gemeente the peildata the fair rule excused, and why",
        "provinces": "Provinces per peildatum", "provinces_caption": "Number of gemeenten per colour",
        "none_spared": "The fair rule spares no gemeente a step.",
        "reason_excused": "declared excusable by the province",
        "reason_tolerance": "shortfall of {n} within the tolerance of {t}",
        "reason_coa": "{n} persons too few linked by COA before the koppel deadline",
        "reason_dossiers": "{n} linked persons with an incomplete dossier (no BSN or IBAN)",
        "reason_nareizigers": "{n} persons waiting for nareizigers",
        "reason_join": "; ", "shortfall_of": "shortfall {n}",
    },
}


_FORECAST: dict[str, dict[str, str]] = {
    "nl": {
        "title": "Verwachte komst van statushouders en kinderen (komende twee maanden)",
        "shares_ledger": "nog te koppelen personen per gemeente in {period} op {day} (ledger)",
        "shares_proposal": "batchdoelen van voorstel {folder}",
        "shares_taakstelling": "taakstelling {period} (naar inwonertal)",
        "shares_population": "inwoners op {day} (geen taakstelling bekend voor {period})",
        "shares_fallback": "; alles nul, dus naar inwonertal",
        "date": "Datum", "pipeline": "Huishoudens in de pijplijn", "expected_persons": "Verwachte personen",
        "expected_children": "Verwachte kinderen", "shares": "Verdeling onbekende gemeenten",
        "known": "Huishoudens met bekende gemeente",
        "intro": "Verwachting per gemeente met een 90%-interval (5%- en 95%-kwantiel van {draws} trekkingen). "
                 "Komst = koppeling aan de gemeente; verhuizing volgt binnen de termijn van de gemeente. "
                 "Kinderen naar leeftijd: 0-3, 4-11, 12-17 jaar.",
        "map": "Verwachte personen per gemeente", "map_legend": "verwachte personen (twee maanden)",
        "gemeenten": "Per gemeente", "gemeenten_caption": "Verwachte personen per maand en kinderen per "
                                                        "leeftijdsgroep, met interval",
        "regions": "Per regio (COROP) en provincie",
        "regions_caption": "COROP-regio's als schoolrelevante regio, en provincies",
    },
    "en": {
        "title": "Expected arrivals of statushouders and children (next two months)",
        "shares_ledger": "persons still to link per gemeente in {period} on {day} (ledger)",
        "shares_proposal": "batch targets of proposal {folder}",
        "shares_taakstelling": "taakstelling {period} (by population)",
        "shares_population": "inhabitants on {day} (no taakstelling known for {period})",
        "shares_fallback": "; all zero, so by population",
        "date": "Date", "pipeline": "Households in the pipeline", "expected_persons": "Expected persons",
        "expected_children": "Expected children", "shares": "Distribution of unknown gemeenten",
        "known": "Households with a known gemeente",
        "intro": "Expectation per gemeente with a 90% interval (5% and 95% quantiles of {draws} draws). "
                 "Arrival = koppeling to the gemeente; moving in follows within the gemeente's term. "
                 "Children by age: 0-3, 4-11, 12-17.",
        "map": "Expected persons per gemeente", "map_legend": "expected persons (two months)",
        "gemeenten": "Per gemeente", "gemeenten_caption": "Expected persons per month and children per age "
                                                        "band, with interval",
        "regions": "Per region (COROP) and province",
        "regions_caption": "COROP regions as the school-relevant region, and provinces",
    },
}


_COMPARE: dict[str, dict[str, str]] = {
    "nl": {
        "title": "Koppelingsvarianten vergeleken",
        "batch": "Huishoudens", "variants": "Varianten", "moved": "Verplaatste huishoudens (t.o.v. {base})",
        "intro": "Dezelfde batch onder verschillende gewichten. Kengetallen naast elkaar; daarna welke "
                 "huishoudens naar een andere gemeente gaan dan in {base}, en waarom.",
        "metrics": "Kengetallen", "metrics_caption": "Per variant",
        "movers": "Verplaatste huishoudens", "movers_caption": "Huishoudens met een andere uitkomst dan in de "
                                                             "basisvariant",
        "why_labour": "arbeidsscore {a:.3f} -> {b:.3f}", "why_region": "COA-regio {a} -> {b}",
        "why_dwelling": "woningklasse {a} -> {b} (nodig {n})", "why_placed": "{a} -> {b}",
        "why_same": "zelfde kenmerken; de gewichten geven een andere afweging",
        "why_full": "{gm} krijgt in deze variant {p} personen bij een doel van {t:g}",
    },
    "en": {
        "title": "Koppeling variants compared",
        "batch": "Households", "variants": "Variants", "moved": "Households moved (against {base})",
        "intro": "The same batch under different weights. Metrics side by side; then which households go to "
                 "another gemeente than in {base}, and why.",
        "metrics": "Metrics", "metrics_caption": "Per variant",
        "movers": "Households moved", "movers_caption": "Households with another outcome than in the base variant",
        "why_labour": "labour score {a:.3f} -> {b:.3f}", "why_region": "COA region {a} -> {b}",
        "why_dwelling": "dwelling class {a} -> {b} (needs {n})", "why_placed": "{a} -> {b}",
        "why_same": "same features; the weights make another trade-off",
        "why_full": "{gm} gets {p} persons against a target of {t:g} in this variant",
    },
}


#: A household's reason, one template per clause code (``optimizer.koppeling.clauses``): values
#: come from the clause; ``{x:persons}`` is a number of persons (no decimals when whole). A list
#: value is joined with ``and`` (``rules``, ``ties``, ``missing``) or commas (codes, ids).
_REASON: dict[str, dict[str, str]] = {
    "nl": {
        # headings: the reason's status, followed by ': ' and the clauses
        "not_linked": "Niet geplaatst", "excluded": "Uitgesloten",
        # not linked: why
        "no_gemeente_rules": "geen enkele gemeente is toegestaan ({rules} laten er geen over)",
        "rule_hard_tie": "harde binding aan {gm_codes}", "rule_medical_region": "medische regio {amr_code}",
        "rule_family_linked": "het gezin, al gekoppeld aan {gm_codes}",
        "rule_locks_forbid": "vergrendelingen die {gm_codes} verbieden",
        "rule_allowed_set": "de toegestane gemeenten en de gemeenten met een score voor dit huishouden",
        "rule_restrictions": "de beperkingen",
        "no_common_gemeente_referent": "geen gemeente is toegestaan voor zowel dit huishouden als zijn referent "
                                       "{referent_id} (hun bindingen, medische regio's of vergrendelingen hebben "
                                       "geen gemeente gemeen)",
        "no_common_gemeente_nareiziger": "geen gemeente is toegestaan voor zowel dit huishouden als zijn nareiziger "
                                         "{nareiziger_id} (hun bindingen, medische regio's of vergrendelingen hebben "
                                         "geen gemeente gemeen)",
        "nothing_allowed": "geen enkele gemeente is toegestaan",
        "no_free_dwelling": "geen vrije woning van klasse {needed_class} of groter in een toegestane gemeente",
        "caps_reached": "elke toegestane gemeente met een passende vrije woning zit aan haar plafond (personen, "
                        "huishoudens of een benoemde capaciteit)",
        "solver_stopped": "de solver stopte ({stop}) voordat hij dit huishouden koppelde: koppelen aan {gm_naam} "
                          "({gm_code}) verlaagt de doelfunctie met {points:.1f} punten; een langere run koppelt het",
        "costs_more_than_waiting": "koppelen, waar dan ook en met alle andere koppelingen gelijk, kost meer dan "
                                   "wachten op de volgende batch (goedkoopst: {gm_naam}, {points:+.1f} punten)",
        "moves_together": "gaat samen met {household_ids}",
        "lock_not_honoured": "een vergrendeling van de planner zet het vast op {gm_code}, maar dat kon niet",
        "lock_forbids": "een vergrendeling van de planner verbiedt {gm_codes}",
        # linked: where, and why
        "linked": "Gekoppeld aan {gm_naam} ({gm_code})",
        "lock_fixed_here": "hier vastgezet door een vergrendeling van de planner",
        "joins_referent": "voegt zich bij referent {referent_id}",
        "tie_there": "binding hier: {ties}", "tie_family": "familie", "tie_work": "werk", "tie_study": "studie",
        "tie_overridden_by_lock": "binding elders opzij gezet door een vergrendeling",
        "hard_tie_overridden_medical": "harde binding elders opzij gezet door de eigen medische regio {amr_code} "
                                       "(hard)",
        "hard_tie_overridden_family": "harde binding elders opzij gezet door het gezin, al gekoppeld aan {gm_codes}",
        "tie_not_honoured_soft": "binding elders niet gevolgd (zachte binding)",
        "medical_inside": "binnen de eigen medische regio {amr_code}",
        "medical_outside_soft": "buiten de eigen medische regio {amr_code} (zacht)",
        "target_progress": "{gm_naam} heeft nu {after:persons} van een batchtaak van {target:persons} personen "
                           "(was {before:persons}, +{persons:persons})",
        "dwelling_shared": "deelt een woning van klasse 2 met een andere alleenstaande",
        "dwelling_as_needed": "woning van klasse {dwelling_class}, zoals nodig",
        "dwelling_larger_none_smaller": "woning van klasse {dwelling_class} (nodig: klasse {needed_class}, geen "
                                        "kleinere vrij)",
        "dwelling_larger_smaller_free": "woning van klasse {dwelling_class} (nodig: klasse {needed_class}, een "
                                        "kleinere is nog vrij)",
        "labour_score": "arbeidsscore {here:.{digits}f} hier (beste {best:.{digits}f} in {best_amr})",
        "labour_best": "beste arbeidsmarktregio voor dit huishouden ({here:.2f} verwachte werkende volwassenen)",
        "labour_worse": "arbeidsscore {here:.{digits}f} hier tegen {best:.{digits}f} in {best_amr}",
        "coa_stays": "blijft in COA-regio {coa_region}",
        "coa_moves": "verhuist van COA-regio {coa_from} naar {coa_to}",
        "next_best": "op één na beste {gm_naam} ({points:+.1f} punten)",
        # excluded, context
        "incomplete_dossier": "onvolledig dossier (ontbreekt: {missing}), kan pas worden gehuisvest als het compleet "
                              "is",
        "referent_excluded": "nareiziger: referent {referent_id} kan nu niet worden gekoppeld (onvolledig dossier)",
        "linked_earlier": "Eerder al gekoppeld aan {gm_code} (contextrij, niet besloten in deze run)",
        # words inside clauses
        "and": " en ", "stop_time_limit": "tijdslimiet", "stop_node_limit": "knooppuntenlimiet",
        "stop_iteration_limit": "iteratielimiet", "stop_solution_limit": "oplossingslimiet",
        "stop_interrupt": "onderbroken", "stop_memory_limit": "geheugenlimiet",
        "stop_objective_bound": "grens op de doelfunctie", "stop_objective_target": "doel voor de doelfunctie",
        "stop_feasible": "toegestane oplossing", "stop_optimal": "optimaal", "stop_early": "vroegtijdig",
    },
    "en": {
        "not_linked": "Not linked", "excluded": "Excluded",
        "no_gemeente_rules": "no gemeente is allowed for it ({rules} leave none)",
        "rule_hard_tie": "hard tie to {gm_codes}", "rule_medical_region": "medical region {amr_code}",
        "rule_family_linked": "its family already linked to {gm_codes}",
        "rule_locks_forbid": "locks forbidding {gm_codes}",
        "rule_allowed_set": "its allowed set and the gemeenten with a score for it",
        "rule_restrictions": "its restrictions",
        "no_common_gemeente_referent": "no gemeente is allowed for both it and its referent {referent_id} (their "
                                       "ties, medical regions or locks have no gemeente in common)",
        "no_common_gemeente_nareiziger": "no gemeente is allowed for both it and its nareiziger {nareiziger_id} "
                                         "(their ties, medical regions or locks have no gemeente in common)",
        "nothing_allowed": "no gemeente is allowed for it",
        "no_free_dwelling": "no free dwelling of class {needed_class} or larger in any allowed gemeente",
        "caps_reached": "every allowed gemeente with a fitting free dwelling has reached its cap (persons, households "
                        "or a named resource)",
        "solver_stopped": "the solver stopped ({stop}) before linking it: linking it to {gm_naam} ({gm_code}) would "
                          "lower the objective by {points:.1f} points; a longer run would link it",
        "costs_more_than_waiting": "linking it anywhere, all other links unchanged, would cost more than waiting for "
                                   "the next batch (cheapest: {gm_naam}, {points:+.1f} points)",
        "moves_together": "it moves together with {household_ids}",
        "lock_not_honoured": "a planner's lock fixes it to {gm_code}, which could not be honoured",
        "lock_forbids": "a planner's lock forbids {gm_codes}",
        "linked": "Linked to {gm_naam} ({gm_code})",
        "lock_fixed_here": "fixed here by a planner's lock",
        "joins_referent": "joins referent {referent_id}",
        "tie_there": "{ties} tie there", "tie_family": "family", "tie_work": "work", "tie_study": "study",
        "tie_overridden_by_lock": "tie elsewhere overridden by a lock",
        "hard_tie_overridden_medical": "hard tie elsewhere overridden by its medical region {amr_code} (hard)",
        "hard_tie_overridden_family": "hard tie elsewhere overridden by its family already linked to {gm_codes}",
        "tie_not_honoured_soft": "tie elsewhere not honoured (soft tie)",
        "medical_inside": "within its medical region {amr_code}",
        "medical_outside_soft": "outside its medical region {amr_code} (soft)",
        "target_progress": "{gm_naam} now has {after:persons} of a batch target of {target:persons} persons "
                           "(was {before:persons}, +{persons:persons})",
        "dwelling_shared": "shares a class-2 dwelling with another single adult",
        "dwelling_as_needed": "class-{dwelling_class} dwelling as needed",
        "dwelling_larger_none_smaller": "class-{dwelling_class} dwelling (needs class {needed_class}, none smaller "
                                        "free)",
        "dwelling_larger_smaller_free": "class-{dwelling_class} dwelling (needs class {needed_class}, a smaller one "
                                        "is still free)",
        "labour_score": "score {here:.{digits}f} here (best {best:.{digits}f} in {best_amr})",
        "labour_best": "best labour region for this household ({here:.2f} expected employed adults)",
        "labour_worse": "labour score {here:.{digits}f} here vs {best:.{digits}f} in {best_amr}",
        "coa_stays": "stays in COA region {coa_region}",
        "coa_moves": "moves from COA region {coa_from} to {coa_to}",
        "next_best": "next best {gm_naam} ({points:+.1f} points)",
        "incomplete_dossier": "incomplete dossier (missing: {missing}), cannot be housed until complete",
        "referent_excluded": "nareiziger: referent {referent_id} cannot be linked now (incomplete dossier)",
        "linked_earlier": "Already linked to {gm_code} earlier (context row, not decided in this run)",
        "and": " and ", "stop_time_limit": "time limit", "stop_node_limit": "node limit",
        "stop_iteration_limit": "iteration limit", "stop_solution_limit": "solution limit",
        "stop_interrupt": "interrupted", "stop_memory_limit": "memory limit",
        "stop_objective_bound": "objective bound", "stop_objective_target": "objective target",
        "stop_feasible": "feasible", "stop_optimal": "optimal", "stop_early": "early",
    },
}


#: A household's status (``proposal.csv`` keeps the code: linked, unplaced, excluded, context).
_STATUS: dict[str, dict[str, str]] = {
    "nl": {"linked": "gekoppeld", "unplaced": "niet geplaatst", "excluded": "uitgesloten",
           "context": "eerder gekoppeld"},
    "en": {"linked": "linked", "unplaced": "unplaced", "excluded": "excluded", "context": "linked earlier"},
}


#: Household types as reports show them (``household_types.csv`` keeps the English label).
_HOUSEHOLD_TYPE: dict[str, dict[str, str]] = {
    "nl": {"single": "alleenstaand", "2 persons": "2 personen", "3-4 persons": "3-4 personen",
           "5-6 persons": "5-6 personen", "7+ persons": "7+ personen", "all households": "alle huishoudens",
           "with children": "met kinderen", "without children": "zonder kinderen",
           "single adult": "één volwassene", "two or more adults": "twee of meer volwassenen"},
    "en": {"single": "single", "2 persons": "2 persons", "3-4 persons": "3-4 persons", "5-6 persons": "5-6 persons",
           "7+ persons": "7+ persons", "all households": "all households", "with children": "with children",
           "without children": "without children", "single adult": "single adult",
           "two or more adults": "two or more adults"},
}


#: The unit of the proposal's points columns (``points_unit``, ``alternatives_method``, the xlsx notes).
_POINTS: dict[str, dict[str, str]] = {
    "nl": {
        "unit": "de kolommen term_* en alt*_delta zijn in punten, de eenheid van de doelfunctie: het gewicht van een "
                "term is het aantal punten dat één eenheid van die term kost (standaard: 1.000 per huishouden dat niet "
                "gekoppeld wordt, 4 per woningklasse boven wat nodig is); zie docs/model.md",
        "note": "punten (de eenheid van de doelfunctie; zie de kolom points_unit)",
        "method": "verplaatsing van één huishouden, alle andere koppelingen vast, de woningen van de twee betrokken "
                  "gemeenten optimaal herverdeeld (de exacte verandering van de doelfunctie van die oplossing)",
    },
    "en": {
        "unit": "term_* and alt*_delta columns are in points, the objective's unit: a term's weight is the points one "
                "unit of that term costs (default: 1,000 per household left unlinked, 4 per dwelling class above "
                "need); see docs/model.md",
        "note": "points (the objective's unit; see the points_unit column)",
        "method": "one-household move, all other links fixed, dwellings of the two gemeenten involved re-assigned "
                  "optimally (exact objective change of that solution)",
    },
}


#: Why a gemeente is far off its target (``fairness.csv``, :mod:`optimizer.koppeling.fairness`).
_FAIRNESS: dict[str, dict[str, str]] = {
    "nl": {
        "no_dwellings": "geen woning aangeboden in deze periode",
        "cap": "plafond (leefbaarheid) bereikt",
        "hard_ties": "harde bindingen: geen ander huishouden mag hierheen / de huishoudens hier mogen nergens anders "
                     "heen",
        "no_fitting_dwelling": "geen passende woning vrij",
        "indivisible_household": "ondeelbaar huishouden: elk huishouden hier is groter dan twee keer de "
                                 "overschrijding",
        "no_room_elsewhere": "elders (onder doel) geen passende woning vrij of geen ruimte onder het plafond",
        "trade_off": "geen bindende reden: afweging tegen arbeidsmarkt, COA-regio en woningpassing",
    },
    "en": {
        "no_dwellings": "no dwelling offered in this period",
        "cap": "cap (leefbaarheid) reached",
        "hard_ties": "hard ties: no other household may go here / the households here may go nowhere else",
        "no_fitting_dwelling": "no fitting dwelling free",
        "indivisible_household": "indivisible household: every household here is more than twice the over-shoot",
        "no_room_elsewhere": "elsewhere (below target) no fitting dwelling free or no room under the cap",
        "trade_off": "no binding reason: a trade-off against labour market, COA region and dwelling fit",
    },
}


#: ``spreiding what-if``: the lines printed for the caseworker.
_WHAT_IF: dict[str, dict[str, str]] = {
    "nl": {
        "question_fix": "{household} vastzetten op {gemeente}",
        "question_forbid": "{household} weghouden uit de voorgestelde gemeente {gemeente}",
        "what_if": "wat als: {question}", "move": " ({before} -> {after})",
        "stays": " (blijft waar het is: de vergrendeling kon het niet verplaatsen)",
        "objective": "doelfunctie {before:.2f} -> {after:.2f} punten: {difference:+.2f} punten (opnieuw "
                     "geoptimaliseerd)",
        "alternative": "het alternatief van het voorstel (alleen dit huishouden verplaatst) noemt {delta:+.2f}",
        "not_allowed": "let op: zonder vergrendeling mag het huishouden daar niet heen (harde bindingen, medische "
                       "regio of vergrendelingen); de vastzetting gaat daarboven, dus het verschil kan negatief zijn",
        "others": "{n} ander(e) huishouden(s) verplaatst", "unplaced": "niet geplaatst",
        "stopped": "let op: de solve van {name} stopte ({stop}) met gap {gap}; het verschil ligt binnen de twee gaps",
        "proposal": "het voorstel", "what_if_solve": "de wat-als", "term": "  {term:<28} {d:+10.2f}",
    },
    "en": {
        "question_fix": "fix {household} to {gemeente}",
        "question_forbid": "forbid {household} its proposed gemeente {gemeente}",
        "what_if": "what if: {question}", "move": " ({before} -> {after})",
        "stays": " (it stays where it is: the lock could not move it)",
        "objective": "objective {before:.2f} -> {after:.2f} points: {difference:+.2f} points (re-optimised)",
        "alternative": "the proposal's alternative (this household alone moved) states {delta:+.2f}",
        "not_allowed": "note: the household may not go there without a lock (its hard ties, medical region or "
                       "locks); the fix overrides that, so the difference can be negative",
        "others": "{n} other household(s) move", "unplaced": "unplaced",
        "stopped": "note: the {name} solve stopped ({stop}) with gap {gap}; the difference is within the two gaps",
        "proposal": "proposal", "what_if_solve": "what-if", "term": "  {term:<28} {d:+10.2f}",
    },
}


#: The sections of :data:`STRINGS` ("" = no prefix: the renderer and the engine reports).
SECTIONS: dict[str, dict[str, dict[str, str]]] = {
    "": _REPORT, "evaluate": _EVALUATE, "monitor": _MONITOR, "forecast": _FORECAST, "compare": _COMPARE,
    "reason": _REASON, "status": _STATUS, "household_type": _HOUSEHOLD_TYPE, "points": _POINTS, "fairness": _FAIRNESS,
    "what_if": _WHAT_IF,
}


#: Every string per language, keyed ``section.key`` (the report's own keys without a section).
STRINGS: dict[str, dict[str, str]] = {
    lang: {(f"{name}.{key}" if name else key): value for name, table in SECTIONS.items()
           for key, value in table[lang].items()} for lang in LANGS}


#: Column headers of report.html per language (the column's own name is shown on hover, and
#: report.xlsx keeps the names of the CSV files); a column not listed shows its name.
COLUMN_LABELS: dict[str, dict[str, str]] = {
    "nl": {
        "household_id": "huishouden",
        "status": "status",
        "gm_code": "gemeentecode",
        "gm_naam": "gemeente",
        "provincie": "provincie",
        "provincie_code": "provinciecode",
        "coa_region": "COA-regio",
        "amr_code": "arbeidsmarktregio",
        "persons": "personen",
        "adults": "volwassenen",
        "children": "kinderen",
        "needed_class": "benodigde woningklasse",
        "dwelling_class": "woningklasse",
        "shared_dwelling": "gedeelde woning",
        "employment_score_here": "arbeidsscore hier",
        "employment_score_best": "beste arbeidsscore",
        "best_amr": "beste arbeidsmarktregio",
        "target": "taak",
        "households": "huishoudens",
        "deviation": "afwijking",
        "relative_deviation": "relatieve afwijking",
        "housing_pressure": "woningdruk",
        "gemeenten": "gemeenten",
        "gemeenten_on_target": "gemeenten op taak",
        "gemeenten_under_target": "gemeenten onder taak",
        "gemeenten_over_target": "gemeenten boven taak",
        "worst_relative_deviation": "grootste relatieve afwijking",
        "fulfilment": "vervulling",
        "household_type": "huishoudtype",
        "linked_share": "aandeel gekoppeld",
        "unplaced_share": "aandeel niet geplaatst",
        "excluded_share": "aandeel uitgesloten",
        "in_best_labour_region_share": "aandeel in beste arbeidsmarktregio",
        "mean_labour_regret": "gemiddeld arbeidsverlies",
        "left_coa_region_share": "aandeel COA-regio verlaten",
        "larger_dwelling_share": "aandeel grotere woning",
        "shared_dwelling_share": "aandeel gedeelde woning",
        "population": "inwoners",
        "fair_share": "eerlijk aandeel",
        "existing": "bestaande plaatsen",
        "new_total": "nieuwe plaatsen",
        "new_places": "nieuwe plaatsen",
        "places": "plaatsen",
        "places_per_1000": "plaatsen per 1.000 inwoners",
        "deviation_rel": "relatieve afwijking",
        "bonus_eur": "bonus (EUR)",
        "malus_eur": "malus (EUR)",
        "payment_eur": "betaling (EUR)",
        "site_cost_eur": "locatiekosten (EUR)",
        "variant": "variant",
        "income_quintile": "inkomenskwintiel",
    },
    "en": {
        "household_id": "household",
        "status": "status",
        "gm_code": "gemeente code",
        "gm_naam": "gemeente",
        "provincie": "province",
        "provincie_code": "province code",
        "coa_region": "COA region",
        "amr_code": "labour market region",
        "persons": "persons",
        "adults": "adults",
        "children": "children",
        "needed_class": "dwelling class needed",
        "dwelling_class": "dwelling class",
        "shared_dwelling": "shared dwelling",
        "employment_score_here": "labour score here",
        "employment_score_best": "best labour score",
        "best_amr": "best labour market region",
        "target": "target",
        "households": "households",
        "deviation": "deviation",
        "relative_deviation": "relative deviation",
        "housing_pressure": "housing pressure",
        "gemeenten": "gemeenten",
        "gemeenten_on_target": "gemeenten on target",
        "gemeenten_under_target": "gemeenten under target",
        "gemeenten_over_target": "gemeenten over target",
        "worst_relative_deviation": "worst relative deviation",
        "fulfilment": "fulfilment",
        "household_type": "household type",
        "linked_share": "share linked",
        "unplaced_share": "share unplaced",
        "excluded_share": "share excluded",
        "in_best_labour_region_share": "share in best labour region",
        "mean_labour_regret": "mean labour regret",
        "left_coa_region_share": "share leaving the COA region",
        "larger_dwelling_share": "share in a larger dwelling",
        "shared_dwelling_share": "share in a shared dwelling",
        "population": "inhabitants",
        "fair_share": "fair share",
        "existing": "existing places",
        "new_total": "new places",
        "new_places": "new places",
        "places": "places",
        "places_per_1000": "places per 1,000 inhabitants",
        "deviation_rel": "relative deviation",
        "bonus_eur": "bonus (EUR)",
        "malus_eur": "malus (EUR)",
        "payment_eur": "payment (EUR)",
        "site_cost_eur": "site cost (EUR)",
        "variant": "variant",
        "income_quintile": "income quintile",
    },
}


def column_label(lang: str, name: str) -> str:
    """The header of column ``name`` in ``lang`` (its name if it has no label)."""
    return COLUMN_LABELS[lang].get(name, name)


def number(value: float, lang: str, decimals: int = 0) -> str:
    """``value`` with thousands separators in the language's style (nl: 1.234,5; en: 1,234.5)."""
    return _localised(f"{value:,.{decimals}f}", lang)


def _localised(formatted: str, lang: str) -> str:
    """A number formatted in English style, written in ``lang``'s (Dutch: ``.`` and ``,`` swapped)."""
    return formatted.replace(",", "\x00").replace(".", ",").replace("\x00", ".") if lang == "nl" else formatted


def persons(value: float) -> str:
    """A number of persons: no decimals when whole, else one (targets can be fractional)."""
    return f"{value:.0f}" if abs(value - round(value)) < 1e-9 else f"{value:.1f}"


def _field(value: object, spec: str, lang: str) -> str:
    """One placeholder's value: a number with ``spec`` (or ``persons``: :func:`persons`) in the
    language's style, anything else as :func:`format` writes it."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return format(value, spec)
    if spec == "persons":
        return _localised(persons(float(value)), lang)
    return _localised(format(value, spec), lang)


@functools.cache
def _parsed(template: str) -> tuple[tuple[str, str | None, str], ...]:
    """The template as (literal text, field name or None, format spec) parts (parsed once)."""
    return tuple((literal, name, spec or "") for literal, name, spec, _ in string.Formatter().parse(template))


def _format(template: str, lang: str, values: dict[str, object]) -> str:
    """:meth:`str.format` of simple fields (``{name}``, ``{name:spec}``, a spec may hold
    ``{other}``) with numbers written in ``lang``'s style."""
    out = []
    for literal, name, spec in _parsed(template):
        out.append(literal)
        if name is not None:
            if "{" in spec:
                spec = spec.format(**values)
            out.append(_field(values[name], spec, lang))
    return "".join(out)


def text(lang: str, key: str, **values: object) -> str:
    """The string ``key`` in ``lang`` with ``values`` filled in, numbers in the language's style
    (``KeyError`` for an unknown key or a missing value)."""
    template = STRINGS[lang][key]
    return _format(template, lang, values) if values else template


def household_types_shown(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A household-types table with its ``household_type`` labels in ``lang`` (section
    ``household_type``; a label not listed stays as it is)."""
    if "household_type" not in table:
        return table
    words = SECTIONS["household_type"][lang]
    return table.assign(household_type=table["household_type"].map(lambda x: words.get(x, x)))


def solve_status(lang: str, status: str) -> str:
    """A solve's status (``optimal``, ``feasible``, ...) in words of ``lang`` (unknown: as given)."""
    return STRINGS[lang].get(f"solve_{status}", status)


def texts(section: str, lang: str) -> dict[str, str]:
    """The strings of one section (e.g. ``evaluate``) in ``lang``, by their keys in the section."""
    return SECTIONS[section][lang]


def check_lang(lang: str, option: str = "--lang") -> Lang:
    """``lang`` if it is a report language, else an :class:`~optimizer.core.errors.InputError`."""
    from optimizer.core.errors import InputError, Violation

    if lang not in LANGS:
        raise InputError(Violation(option, f"unknown report language; expected one of {', '.join(LANGS)}", value=lang))
    return lang  # type: ignore[return-value]
