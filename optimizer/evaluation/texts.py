"""The words of the province reports, one place per command and language (Dutch by default,
English with ``--lang en``). Code and docs stay English; officials read these."""

from __future__ import annotations

from optimizer.report.strings import LANGS, Lang

__all__ = ["LANGS", "TEXTS", "Lang", "texts"]

TEXTS: dict[str, dict[str, dict[str, str]]] = {
    "evaluate": {
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
    },
    "monitor": {
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
    },
    "forecast": {
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
    },
    "compare": {
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
            "linked": "gekoppeld", "unplaced": "niet geplaatst", "excluded": "uitgesloten",
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
            "linked": "linked", "unplaced": "unplaced", "excluded": "excluded",
        },
    },
}


def texts(command: str, lang: str) -> dict[str, str]:
    """The strings of ``command`` in ``lang`` (``nl`` or ``en``)."""
    return TEXTS[command][lang]
