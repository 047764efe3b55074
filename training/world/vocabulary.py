"""Per-language vocabularies the text writer draws from.

Niche terms are plural or mass noun phrases ("cappotti vintage", "lievito madre") so that
they read correctly after a bare preposition in every template ("parliamo di {t1}"); this
keeps Italian and Spanish grammatical without tracking gender and articles.
"""

from __future__ import annotations

from dataclasses import dataclass

from training.world.spec import NICHES, VALUE_TAGS

Lexicon = dict[str, tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class LanguageVocab:
    """Everything needed to write bios, captions and brand copy in one language."""

    language: str
    niche_terms: Lexicon  # >= 40 per niche
    niche_hashtags: Lexicon
    niche_bio: Lexicon
    niche_handle_words: Lexicon
    value_terms: Lexicon  # what a creator holding the tag writes about
    value_hashtags: Lexicon
    value_brand_phrases: Lexicon  # how a brand states the value in its brief
    niche_brand_phrases: Lexicon
    brand_roots: Lexicon  # name parts by niche
    value_prefixes: Lexicon  # name parts by value tag
    brand_adjectives: tuple[str, ...]
    brand_houses: tuple[str, ...]
    brand_patterns: tuple[str, ...]  # {prefix} {root} {root2} {adjective} {house} {name} {city}
    caption_templates: tuple[str, ...]  # {t1} {t2} {t3} {v} {e} {city}
    value_caption_templates: tuple[str, ...]  # {v} is one of the creator's values
    organic_mention_templates: tuple[str, ...]  # + {brand}
    sponsored_templates: tuple[str, ...]  # + {brand}
    disclosures: tuple[str, ...]  # may hold {brand}
    bio_templates: tuple[str, ...]  # {b1} {b2} {v} {e} {city} {name}
    description_templates: tuple[str, ...]  # {name} {np} {vp} {year}
    friend_templates: tuple[str, ...]  # {friend}
    first_names: tuple[str, ...]
    surnames: tuple[str, ...]
    cities: Lexicon  # by country
    handle_patterns: tuple[str, ...]  # {n} {s} {w} {d}


# Emojis are language-neutral; captions pick one or two matching the post's topic.
NICHE_EMOJIS: Lexicon = {
    "fashion": ("👗", "👠", "🧥", "👜", "✨", "🛍️"),
    "beauty": ("💄", "💅", "🧴", "✨", "🌸", "💆‍♀️"),
    "food": ("🍝", "🥗", "🍰", "🍕", "🥖", "😋"),
    "travel": ("✈️", "🗺️", "🏔️", "🌊", "📍", "🚆"),
    "fitness": ("💪", "🏃‍♀️", "🧘", "🔥", "🚴", "⏱️"),
    "parenting": ("👶", "🧸", "💛", "🍼", "📚", "🏡"),
    "tech": ("📱", "💻", "🎧", "⚡", "🔋", "🤖"),
    "gaming": ("🎮", "🕹️", "👾", "🏆", "🎧", "🔥"),
    "sustainability": ("♻️", "🌱", "🌍", "💚", "🐝", "🌿"),
    "home": ("🏡", "🪴", "🛋️", "🕯️", "🧺", "✨"),
    "pets": ("🐶", "🐱", "🐾", "🦴", "❤️", "🐕"),
}


def terms(text: str) -> tuple[str, ...]:
    """Split a `;`-separated phrase list (keeps the vocabulary files compact and readable)."""
    return tuple(part.strip() for part in text.split(";") if part.strip())


def validate(vocab: LanguageVocab) -> None:
    """Fail fast when a vocabulary misses a niche or a tag (caught by the tests)."""
    for field in (
        "niche_terms",
        "niche_hashtags",
        "niche_bio",
        "niche_handle_words",
        "niche_brand_phrases",
        "brand_roots",
    ):
        missing = set(NICHES) - set(getattr(vocab, field))
        if missing:
            raise ValueError(f"{vocab.language}.{field} misses niches {sorted(missing)}")
    for field in ("value_terms", "value_hashtags", "value_brand_phrases", "value_prefixes"):
        missing = set(VALUE_TAGS) - set(getattr(vocab, field))
        if missing:
            raise ValueError(f"{vocab.language}.{field} misses value tags {sorted(missing)}")


def vocabulary(language: str) -> LanguageVocab:
    """The vocabulary of one language (imported on first use, not at package import)."""
    if language == "it":
        from training.world.vocab_it import VOCAB
    elif language == "en":
        from training.world.vocab_en import VOCAB
    elif language == "es":
        from training.world.vocab_es import VOCAB
    else:
        raise ValueError(f"Unknown language {language!r}; expected one of ['en', 'es', 'it']")
    return VOCAB
