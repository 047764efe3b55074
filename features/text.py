"""Caption text: sponsorship disclosures and brand-mention tokens, Italian and English first."""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable

import numpy as np

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
    "invitedby",
    "prgift",
    "affiliate",
    "affiliato",
    "patrocinado",
)
_DISCLOSURE_PHRASES = (
    r"paid partnership",
    r"sponsored by",
    r"in partnership with",
    r"gifted by",
    r"in collaborazione con",
    r"sponsorizzato da",
    r"prodott[oi] (?:offert[oi]|regalat[oi]) da",
    r"contenuto sponsorizzato",
    r"partnership retribuita",
    r"inserzione a pagamento",
    r"publicidad",
    r"patrocinad[oa] por",
    r"en colaboraci[oó]n con",
    r"colaboraci[oó]n pagada",
    # the same declarations as people actually type them
    r"this (?:post|video) is sponsored",
    r"(?:^|\n)\s*(?:ad|adv|advertising|publi|sponsored|sponsorizzato)\s*[|:]",
)
# Undeclared but evident: a discount or affiliate code, an affiliate link, an ambassador or
# collaboration role. A careful reader knows the post is paid though no #ad is written.
# Every pattern is also a JavaScript regex (the agency page replays them): no lookbehind,
# no inline flags, ASCII classes only.
_EVIDENT_PHRASES = (
    r"codic[ei] (?:di )?(?:sconto|promo)",
    r"(?:il )?mio codice",
    r"(?:con|usa|usate|usando) (?:il )?codice",
    r"codice[:\s]+[\w-]*\d",
    r"codice (?:\w+ )?nelle (?:storie|stories)",
    r"sconto con (?:il )?codice",
    r"(?:my|our|use|using|with) (?:discount |promo )?code",
    r"(?:discount|promo|coupon) code",
    r"\bcode [\w-]*\d",
    r"(?:mi|con el|con mi|usad|usa) (?:c[oó]digo|cup[oó]n)",
    r"c[oó]digo (?:de )?descuento",
    r"(?:c[oó]digo|cup[oó]n) [\w-]*\d",
    r"descuento exclusivo",
    r"(?:link|enlace)[^.!?\n]{0,40}(?:sconto|descuento|discount|% off)",
    r"(?:sconto|descuento|discount)[^.!?\n]{0,30}(?:link|enlace)",
    r"link affiliat|affiliat[oa] (?:con|di|a) @|sono affiliat|affiliate link|afiliad[oa]",
    r"(?:piccola|small|pequeña) (?:percentuale|commission|comisi[oó]n)",
    r"amazon storefront|storefront|my ltk|\bltk\b",
    r"(?:brand )?ambassador (?:di|of|de) @|brand ambassador|embajador[a]? de @",
    r"(?:collab|partnership|colaboraci[oó]n|trabajo) con @",
    r"(?:teamed up|partnered|partner|working) with @",
    r"per la collab|for the collab|(?:sorteo|giveaway) (?:en |in )?colaboraci",
    r"pr package|pr box|pacchetto pr|pacco pr",
)
# Gifts, loans, hosted stays and invitations: evident only with a brand's @handle in the
# caption (a gift from mum is not a collaboration).
_GIFT_PHRASES = (
    r"(?:mi|ci) (?:hanno|ha) (?:mandato in|spedito|inviato|regalato|prestato|fatto un regalo)",
    r"me l'(?:hanno|ha) (?:mandat|regalat|spedit|inviat|fatt[ao] provare)",
    r"(?:mi|ci) (?:hanno|ha) mandato (?:le|il|la|i|gli|questo|questa|sto|sta)\b",
    r"(?:mandat|spedit|inviat|regalat|prestat|offert|ricevut)[oaie] (?:da|in regalo)",
    r"(?:che|quelli di) @[\w.]+ mi (?:ha|hanno) (?:mandato|spedito|inviato|regalato)",
    r"mi ha(?:nno)? (?:mandato|spedito|inviato|regalato) @",
    r"(?:avermi|per avermi) (?:regalato|mandato|prestato|invitat)",
    r"(?:regalo|pacco|sorpresa) (?:di|da) @",
    r"(?:sorpresa|pacco|regalo|box|pacchetto) arrivat[oa][^.!?\n]{0,20} da @",
    r"che mi [eè] arrivat[oa] a casa",
    r"in anteprima|\bgifted\b",
    r"(?:ospite|invitat[oa]) (?:di|da|della|del|dello) @|(?:grazie per|all') ?(?:l')?invito",
    r"ospitalit[aà]|offert[oa] da @|grazie per il pensiero",
    r"(?:they|@[\w.]+) sent me|(?:for )?sending (?:me|over)|sent (?:me|over) (?:the|their|these)",
    r"hosted (?:stay|by)|invited by @|for having me|courtesy of @|provided by @",
    r"early pair|goodies",
    r"me (?:lo|la|los|las) (?:han|ha) (?:regalado|enviado|mandado)",
    r"(?:me|nos) (?:han|ha) (?:enviado|mandado|regalado)|que me mand[oó]",
    r"(?:enviad|regalad)[oa]s? por @|gracias por (?:invitarme|el regalito|el detalle)",
    r"(?:gracias (?:a )?@[\w.]+ por (?:el regal|enviar|la cesta|invitar|el detalle))",
    r"invitad[oa] por @|regalito",
)
# Explicit denials are cut out before the search, so "non è sponsorizzato" or "no es publi" is
# not a disclosure while an affiliate code in the same caption still is.
_DENIAL_PHRASES = (
    r"not (?:an? )?#?(?:ad|adv|sponsored|paid)\b",
    r"not (?:a )?sponsored (?:post|video)",
    r"no(?:t| es| e'| è)? (?:un |a )?(?:post )?(?:sponsorizzat[oa]|sponsored)",
    r"non (?:[eè]|e') (?:un |una )?(?:post |collab )?"
    r"(?:sponsorizzat[oa]|#?adv|pubblicit[aà]|una collab)",
    r"non sponsorizzat[oa]",
    # an order is bought, whoever shipped it
    r"(?:un |il mio |l')?ordine (?:appena )?arrivat[oa]|(?:my|an) order (?:just )?arrived",
    r"(?:mi |un )?pedido (?:acaba de llegar|reci[eé]n llegado|ha llegado)",
    r"non (?:me|ce) l'(?:hanno|ha) (?:regalat|mandat|inviat)[oaie]",
    r"no (?:me|nos) (?:lo|la|los|las) (?:han|ha) (?:regalado|enviado|mandado)",
    r"nessuna (?:sponsorizzazione|collaborazione|collab)",
    r"non (?:ho|faccio) (?:nessuna )?(?:collaborazion[ei]|pubblicit[aà]|collab)",
    r"non (?:mi (?:paga|pagano)|sono pagat[oa])|nessuno mi paga|not paid",
    r"no es (?:un )?(?:post )?(?:#?publi(?:cidad)?|patrocinad[oa]|colaboraci[oó]n)",
    r"no (?:estoy|soy) patrocinad[oa]|no me pagan|nadie me paga",
    r"no tengo (?:c[oó]digo|cup[oó]n)|i don'?t have a (?:discount )?code",
    r"(?:not|non sono|no estoy) affiliat[eo]d?|not affiliated",
)
# Public for the agency page, which marks sponsored posts as the features count them
DISCLOSURE_TAGS, DISCLOSURE_PHRASES = _DISCLOSURE_TAGS, _DISCLOSURE_PHRASES
EVIDENT_PHRASES, GIFT_PHRASES, DENIAL_PHRASES = _EVIDENT_PHRASES, _GIFT_PHRASES, _DENIAL_PHRASES
_TAG_RE = re.compile(r"#(\w+)", re.UNICODE)
_HANDLE_RE = re.compile(r"@([A-Za-z0-9_.]+[A-Za-z0-9_])")
_BRAND_HANDLE_RE = re.compile(r"@[A-Za-z0-9_.]*[A-Za-z0-9_]")
# One alternation per family, compiled once and run on the lower-cased caption (faster than
# IGNORECASE). A catalog build runs them on every caption, so a family's regex only runs when
# one of its anchors (substrings every match contains) is in the caption: most organic
# captions skip them all. tests/test_captions.py checks the anchors never change an answer.
_PHRASE_RE = re.compile("|".join(_DISCLOSURE_PHRASES))
_EVIDENT_RE = re.compile("|".join(_EVIDENT_PHRASES))
_GIFT_RE = re.compile("|".join(_GIFT_PHRASES))
_DENIAL_RE = re.compile("|".join(_DENIAL_PHRASES))
_PHRASE_ANCHORS = ("partner", "sponsor", "gifted", "collabora", "prodott", "publi", "inserzione",
                   "patrocinad", "colaboraci", "|", ":")  # fmt: skip
_EVIDENT_ANCHORS = ("codic", "code", "digo", "cup", "descuento", "link", "enlace", "affiliat",
                    "afiliad", "percentuale", "commission", "comisi", "storefront", "ltk",
                    "ambassador", "embajador", "@", "collab", "colaboraci", "package", "pr box",
                    "pacc")  # fmt: skip
_GIFT_ANCHORS = ("mand", "spedit", "inviat", "regal", "prestat", "offert", "ricevut", "pacco",
                 "sorpresa", "box", "pacchetto", "arrivat", "ospit", "invit", "pensiero", "fatt",
                 "sent", "sending", "hosted", "having", "courtesy", "provided", "early pair",
                 "goodies", "enviad", "gracias", "anteprima", "gifted")  # fmt: skip
_DENIAL_ANCHORS = ("not", "non", "nessun", "no ", "don", "nadie", "ordine", "order", "pedido")
_TAGS = frozenset(_DISCLOSURE_TAGS)


def fold(text: str) -> str:
    """Lower-case and strip accents, so `#Colaboración` and `#colaboracion` compare equal."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def compact(text: str) -> str:
    """A brand name or handle as one token: `@Eco_Veste`, `Eco Veste` → `ecoveste`."""
    return re.sub(r"[^0-9a-z]", "", fold(text))


def is_disclosed(caption: str) -> bool:
    """True when the caption shows a paid, gifted or affiliate collaboration.

    Declared (#adv, "in collaborazione con", "paid partnership") or undeclared but evident
    (a discount code, an affiliate link, "mi hanno mandato" with the brand's @handle), and
    still so once explicit denials ("non sponsorizzato", "not an ad", "no es publi") are cut
    out of the caption.
    """
    text = caption.lower()
    if not _shows_paid(text):
        return False  # the common case: nothing to deny
    if not _has_any(text, _DENIAL_ANCHORS) or _DENIAL_RE.search(text) is None:
        return True
    return _shows_paid(_DENIAL_RE.sub(" ", text))


def disclosed_many(captions: Iterable[str]) -> np.ndarray:
    """`is_disclosed` over many captions, as a bool array (the catalog build's entry point)."""
    return np.fromiter((is_disclosed(caption) for caption in captions), dtype=bool)


def _shows_paid(text: str) -> bool:
    """A declared or evident paid form in lower-cased caption text (denials not considered)."""
    if "#" in text and {fold(tag) for tag in _TAG_RE.findall(text)} & _TAGS:
        return True
    if _has_any(text, _PHRASE_ANCHORS) and _PHRASE_RE.search(text):
        return True
    if _has_any(text, _EVIDENT_ANCHORS) and _EVIDENT_RE.search(text):
        return True
    # a gift counts only from a brand: its @handle is in the caption
    return (
        "@" in text
        and _has_any(text, _GIFT_ANCHORS)
        and _GIFT_RE.search(text) is not None
        and _BRAND_HANDLE_RE.search(text) is not None
    )


def _has_any(text: str, anchors: tuple[str, ...]) -> bool:
    return any(anchor in text for anchor in anchors)


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
