"""A brand brief reduced to what matching needs: its text, mention keys, targets and budget."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from features.categories import canonical_category
from features.creator_table import AGE_BRACKETS
from features.currency import DEFAULT_CURRENCY, to_eur
from features.text import brand_keys, compact


@dataclass(frozen=True, slots=True)
class BrandProfile:
    brand_id: str
    name: str
    text: str  # what gets embedded: values, description and category
    values_text: str  # the values alone (the terse form of a brief)
    category: str
    languages: frozenset[str]
    markets: frozenset[str]
    target_ages: tuple[int, ...]  # indices into AGE_BRACKETS
    female_share: float | None
    keys: frozenset[str]  # compact tokens that mention the brand
    competitor_keys: frozenset[str]
    budget: float | None  # EUR
    currency: str  # the brief's currency (its budget's; EUR by default): costs are answered in it


def brand_profile(doc: Mapping[str, Any]) -> BrandProfile:
    """Profile of a brand document shaped like the DESIGN.md Brand."""
    name = doc.get("name") or ""
    audience = doc.get("audience") or {}
    budget = doc.get("budget") or {}
    parts = [doc.get("values") or "", doc.get("description") or "", doc.get("category") or ""]
    ages = audience.get("ages") or ()
    return BrandProfile(
        brand_id=str(doc.get("brand_id") or compact(name) or "brief"),
        name=name,
        text=". ".join(part.strip() for part in parts if part and part.strip()),
        values_text=(doc.get("values") or "").strip(),
        category=canonical_category(doc.get("category") or ""),
        languages=frozenset(lang.lower() for lang in doc.get("languages") or ()),
        markets=frozenset(market.upper() for market in doc.get("markets") or ()),
        target_ages=tuple(AGE_BRACKETS.index(a) for a in ages if a in AGE_BRACKETS),
        female_share=audience.get("female_share"),
        keys=frozenset(brand_keys(name, doc.get("aliases") or (), doc.get("brand_id"))),
        competitor_keys=frozenset(
            key for name in doc.get("competitors") or () for key in brand_keys(name)
        ),
        budget=(
            float(to_eur(np.array([budget["amount"]]), [budget.get("currency")])[0])
            if budget.get("amount")
            else None
        ),
        currency=str(budget.get("currency") or DEFAULT_CURRENCY).upper(),
    )
