"""Costs in one currency: rate cards are converted to EUR, answers to the brief's currency.

The rates are fixed reference values (ECB euro reference rates, rounded, autumn 2026), not a
live feed: they only put rate cards quoted in different currencies on one scale. A catalog
whose rate cards share one currency ranks identically whatever the rates.
"""

from __future__ import annotations

import numpy as np

# units of each currency per 1 EUR
PER_EUR: dict[str, float] = {
    "EUR": 1.0, "USD": 1.08, "GBP": 0.85, "CHF": 0.95, "SEK": 11.4, "NOK": 11.6,
    "DKK": 7.46, "PLN": 4.3, "CZK": 25.0, "HUF": 395.0, "RON": 4.97, "MXN": 20.0,
    "ARS": 1_050.0, "BRL": 6.0, "CLP": 1_020.0, "COP": 4_500.0, "CAD": 1.48, "AUD": 1.65,
    "JPY": 165.0, "CNY": 7.8, "INR": 91.0, "TRY": 37.0,
}  # fmt: skip
DEFAULT_CURRENCY = "EUR"


def to_eur(amounts: np.ndarray, currencies: list[str | None]) -> np.ndarray:
    """`amounts[i]` in `currencies[i]` (EUR when None) as EUR; NaN for an unknown currency."""
    rates = np.array(
        [PER_EUR.get((c or DEFAULT_CURRENCY).upper(), np.nan) for c in currencies],
        dtype=np.float64,
    )
    return np.asarray(amounts, dtype=np.float64) / rates


def from_eur(amounts: np.ndarray, currency: str | None) -> np.ndarray:
    """EUR amounts in `currency` (EUR when None or unknown)."""
    rate = PER_EUR.get((currency or DEFAULT_CURRENCY).upper(), 1.0)
    return np.asarray(amounts, dtype=np.float64) * rate
