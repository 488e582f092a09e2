"""Country -> continent, from the ``country_converter`` package (its ``continent_7``
classification: Africa, Antarctica, Asia, Europe, North America, Oceania, South America).

GlobalOpinionQA's sub-national WVS samples are first mapped to their state
(:data:`SUBNATIONAL`); a name the package does not know maps to ``None`` and is counted by the
caller. The "Western" group of the Kim & Baek analysis is Europe, North America and Oceania.
"""

from __future__ import annotations

import logging
from functools import cache, lru_cache

SUBNATIONAL = {"Northern Ireland": "United Kingdom"}
WESTERN = ("Europe", "North America", "Oceania")


@lru_cache(maxsize=1)
def _converter():
    import country_converter as coco
    import pandas as pd
    from country_converter import country_converter as module

    # read the package's own table with "NA" (Namibia) kept as text: country_converter 1.3's
    # loader turns it into a missing value under pandas 3 and then fails
    table = pd.read_csv(module.COUNTRY_DATA_FILE, sep="\t", encoding="utf-8", dtype=object, keep_default_na=False)
    table = table.mask(table == "", None)
    return coco.CountryConverter(country_data=table)


@cache
def continent_of(country: str) -> str | None:
    name = SUBNATIONAL.get(country, country)
    logging.getLogger("country_converter").setLevel(logging.ERROR)  # "not found" is our None
    result = _converter().convert(name, to="continent_7", not_found=None)
    if result is None or result == name or not isinstance(result, str):
        return None
    return result


@cache
def country_name(country: str | None) -> str | None:
    """One name per country for the report's tables and figures: the ``country_converter``
    short name (``"S. Korea"`` and ``"South Korea"`` are ``"South Korea"``; ``"Britain"`` and
    ``"Great Britain"`` are ``"United Kingdom"``; ``"Czech Rep."`` is ``"Czechia"``), the name as
    given when the package does not know it or for a sub-national sample (:data:`SUBNATIONAL`).
    GlobalOpinionQA spells some countries differently in its Pew and WVS rows; the scored items
    keep the data's names, only what the report groups by country goes through here."""
    if not country or country in SUBNATIONAL:
        return country
    logging.getLogger("country_converter").setLevel(logging.ERROR)
    result = _converter().convert(country, to="name_short", not_found=None)
    return result if isinstance(result, str) and result and result != "not found" else country
