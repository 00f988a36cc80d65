"""Where the retailer sells: fifteen countries (currency, VAT, locale, hours from head-office time) and their cities.

Every timestamp is head-office time (Amsterdam, CET); ``cet_offset`` turns it into a country's local time.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Country:
    code: str  # ISO 3166-1 alpha-2
    name: str
    currency: str  # ISO 4217
    vat_pct: float  # standard rate
    locale: str  # Faker's, for names and addresses
    timezone: str
    cet_offset: int  # local hour minus head-office hour (winter time)
    fx_per_eur: float  # local currency per euro, as the price list converts
    open_sundays: bool  # whether shops trade on Sundays


# The order is the country index used in every array.
COUNTRIES = (
    Country("NL", "Netherlands", "EUR", 21.0, "nl_NL", "Europe/Amsterdam", 0, 1.0, True),
    Country("DE", "Germany", "EUR", 19.0, "de_DE", "Europe/Berlin", 0, 1.0, False),
    Country("FR", "France", "EUR", 20.0, "fr_FR", "Europe/Paris", 0, 1.0, False),
    Country("BE", "Belgium", "EUR", 21.0, "nl_BE", "Europe/Brussels", 0, 1.0, False),
    Country("ES", "Spain", "EUR", 21.0, "es_ES", "Europe/Madrid", 0, 1.0, False),
    Country("IT", "Italy", "EUR", 22.0, "it_IT", "Europe/Rome", 0, 1.0, True),
    Country("AT", "Austria", "EUR", 20.0, "de_AT", "Europe/Vienna", 0, 1.0, False),
    Country("IE", "Ireland", "EUR", 23.0, "en_IE", "Europe/Dublin", -1, 1.0, True),
    Country("PT", "Portugal", "EUR", 23.0, "pt_PT", "Europe/Lisbon", -1, 1.0, True),
    Country("FI", "Finland", "EUR", 25.5, "fi_FI", "Europe/Helsinki", 1, 1.0, True),
    Country("GB", "United Kingdom", "GBP", 20.0, "en_GB", "Europe/London", -1, 0.85, True),
    Country("SE", "Sweden", "SEK", 25.0, "sv_SE", "Europe/Stockholm", 0, 11.4, True),
    Country("DK", "Denmark", "DKK", 25.0, "da_DK", "Europe/Copenhagen", 0, 7.46, True),
    Country("PL", "Poland", "PLN", 23.0, "pl_PL", "Europe/Warsaw", 0, 4.3, False),
    Country("CH", "Switzerland", "CHF", 8.1, "de_CH", "Europe/Zurich", 0, 0.95, False),
)
COUNTRY_INDEX = {c.code: i for i, c in enumerate(COUNTRIES)}
CURRENCIES = tuple(dict.fromkeys(c.currency for c in COUNTRIES))  # EUR, GBP, SEK, DKK, PLN, CHF
