"""Every user-facing string of the reports, one table per language (Dutch by default).

The users are Dutch officials: reports are in Dutch unless ``--lang en`` is given. A string is
looked up by key with :func:`text`; placeholders use :meth:`str.format`. Column headers have
their own table (:data:`COLUMN_LABELS`, :func:`column_label`). Both tables hold the
same keys (a test checks it), so a missing translation is a test failure, not a blank in a report.
"""

from __future__ import annotations

from typing import get_args

from optimizer.report.document import Lang

LANGS: tuple[str, ...] = get_args(Lang)

STRINGS: dict[str, dict[str, str]] = {
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


def text(lang: str, key: str, **values: object) -> str:
    """The string ``key`` in ``lang`` with ``values`` filled in (``KeyError`` for an unknown key)."""
    return STRINGS[lang][key].format(**values) if values else STRINGS[lang][key]


def check_lang(lang: str, option: str = "--lang") -> Lang:
    """``lang`` if it is a report language, else an :class:`~optimizer.core.errors.InputError`."""
    from optimizer.core.errors import InputError, Violation

    if lang not in LANGS:
        raise InputError(Violation(option, f"unknown report language; expected one of {', '.join(LANGS)}", value=lang))
    return lang  # type: ignore[return-value]


def number(value: float, lang: str, decimals: int = 0) -> str:
    """``value`` with thousands separators in the language's style (nl: 1.234,5; en: 1,234.5)."""
    s = f"{value:,.{decimals}f}"
    return s.replace(",", "\x00").replace(".", ",").replace("\x00", ".") if lang == "nl" else s
