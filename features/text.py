"""Caption text: sponsorship disclosures and brand-mention tokens, Italian and English first."""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable

# Disclosure forms in use on Instagram/TikTok/YouTube in Italy, the UK/US and Spain: hashtags
# (#ad, #adv, #sponsored, #advertising, #partner, #gifted, #suppliedby, #publi, #publicidad,
# #colaboración) and the platform or legal phrasings around them.
_DISCLOSURE_TAGS = (
    "ad",
    "ads",
    "adv",
    "advertising",
    "advertisement",
    "sponsored",
    "sponsor",
    "sponsorizzato",
    "partner",
    "partnership",
    "paidpartnership",
    "gifted",
    "giftedby",
    "suppliedby",
    "pubblicita",
    "publi",
    "publicidad",
    "colaboracion",
    "collab",
    "collaborazione",
    "inserzioneapagamento",
)
_DISCLOSURE_PHRASES = (
    r"paid partnership",
    r"sponsored by",
    r"in partnership with",
    r"gifted by",
    r"in collaborazione con",
    r"sponsorizzato da",
    r"prodotto (?:offerto|regalato) da",
    r"contenuto sponsorizzato",
    r"partnership retribuita",
    r"inserzione a pagamento",
    r"publicidad",
    r"patrocinado por",
    r"en colaboraci[oó]n con",
    r"colaboraci[oó]n pagada",
)
# Public for the agency page, which marks sponsored posts as the features count them
DISCLOSURE_TAGS, DISCLOSURE_PHRASES = _DISCLOSURE_TAGS, _DISCLOSURE_PHRASES
_TAG_RE = re.compile(r"#(\w+)", re.UNICODE)
_HANDLE_RE = re.compile(r"@([A-Za-z0-9_.]+[A-Za-z0-9_])")
_PHRASE_RE = re.compile("|".join(_DISCLOSURE_PHRASES), re.IGNORECASE)
_TAGS = frozenset(_DISCLOSURE_TAGS)


def fold(text: str) -> str:
    """Lower-case and strip accents, so `#Colaboración` and `#colaboracion` compare equal."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def compact(text: str) -> str:
    """A brand name or handle as one token: `@Eco_Veste`, `Eco Veste` → `ecoveste`."""
    return re.sub(r"[^0-9a-z]", "", fold(text))


def is_disclosed(caption: str) -> bool:
    """True when the caption carries a sponsorship disclosure."""
    tags = {fold(tag) for tag in _TAG_RE.findall(caption)}
    return bool(tags & _TAGS) or _PHRASE_RE.search(caption) is not None


def extract_handles(caption: str) -> list[str]:
    """`@handles` in a caption, in order, as written (with the `@`)."""
    return [f"@{handle}" for handle in _HANDLE_RE.findall(caption)]


def mention_tokens(
    caption: str, mentions: Iterable[str] | None = None, known_keys: frozenset[str] = frozenset()
) -> frozenset[str]:
    """Compact tokens a brand can be recognised by in a caption.

    @handles (the declared `mentions`, else those in the text) and hashtags always count; plain
    words and word pairs count only when they are a known brand name, which keeps the mention
    index small however long the captions are.
    """
    handles = mentions if mentions is not None else extract_handles(caption)
    tokens = {compact(handle) for handle in handles}
    tokens |= {compact(tag) for tag in _TAG_RE.findall(caption)}
    if known_keys:
        words = [compact(word) for word in re.findall(r"[\w']+", caption)]
        candidates = set(words) | {a + b for a, b in itertools.pairwise(words)}
        tokens |= candidates & known_keys
    tokens.discard("")
    return frozenset(tokens)


def brand_keys(name: str, aliases: Iterable[str] = (), brand_id: str | None = None) -> set[str]:
    """The compact tokens that count as a mention of a brand."""
    keys = {compact(name), *(compact(alias) for alias in aliases)}
    if brand_id:
        keys.add(compact(brand_id))
    return {key for key in keys if len(key) >= 3}
