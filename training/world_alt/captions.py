"""Caption writing: one creator's voice turned into organic, fan and sponsored captions."""

from __future__ import annotations

from dataclasses import dataclass

from training.world_alt import lex_en, lex_es, voice_it
from training.world_alt.common import Dice
from training.world_alt.lex_it_a import CORES_A
from training.world_alt.lex_it_b import CORES_B
from training.world_alt.lex_it_c import CORES_C
from training.world_alt.values_text import HASHTAG, SAYS

CORES_IT: dict[str, dict[str, tuple[str, ...]]] = {**CORES_A, **CORES_B, **CORES_C}
LANG_POS = {"it": 0, "en": 1, "es": 2}


@dataclass(frozen=True, slots=True)
class Voice:
    """How one creator writes; every rate is a per-caption probability."""

    language: str
    country: str
    region: str  # dialect region of Italian creators, "" otherwise
    dialect: float
    slang: float
    codemix: float
    typo: float
    story: float
    tagging: float
    emoji: float
    themes: tuple[str, ...]  # value themes the creator holds
    value_rate: float


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def core(voice: Voice, niche: str, sub: str, dice: Dice) -> str:
    """A topic fragment: the creator's sub-niche most of the time, else the wider niche."""
    if not niche:
        pools = {"it": voice_it.EVERYDAY_IT, "en": lex_en.EVERYDAY_EN, "es": lex_es.EVERYDAY_ES}
        return dice.pick(pools[voice.language])
    if voice.language == "it":
        subs = CORES_IT[niche]
        key = sub if sub in subs and dice.chance(0.7) else dice.pick(tuple(subs))
        return dice.pick(subs[key])
    return dice.pick((lex_en.CORES_EN if voice.language == "en" else lex_es.CORES_ES)[niche])


def _hashtags(voice: Voice, niche: str, dice: Dice) -> str:
    if voice.language == "it":
        pool: tuple[str, ...] = voice_it.TAGS_IT[niche] if niche else ("#vitavera", "#nofilter")
    else:
        pool = (lex_en.TAGS_EN if voice.language == "en" else lex_es.TAGS_ES)[niche]
    tags = dice.some(pool, dice.between(1, 4))
    if voice.themes and dice.chance(0.5):
        tags.append(HASHTAG[dice.pick(voice.themes)][LANG_POS[voice.language]])
    return " ".join(tags)


def _closer(voice: Voice, dice: Dice) -> str:
    if voice.language == "it":
        return dice.pick(voice_it.CLOSERS_IT)
    if voice.language == "en":
        return dice.pick(lex_en.CLOSERS_EN)
    return dice.pick(lex_es.CLOSERS["ES" if voice.country == "ES" else "LATAM"])


def _slang(voice: Voice, dice: Dice) -> str:
    if voice.language == "it":
        return dice.pick(voice_it.SLANG_IT)
    if voice.language == "en":
        return dice.pick(lex_en.SLANG_EN)
    return dice.pick(lex_es.SLANG_ES.get(voice.country, lex_es.SLANG_ES["ES"]))


def _story(voice: Voice, text: str, niche: str, sub: str, dice: Dice) -> str:
    parts = [dice.pick(voice_it.STORY_OPEN_IT), dice.pick(voice_it.STORY_MID_IT).format(core=text)]
    parts += dice.some(voice_it.STORY_TURN_IT, dice.between(2, 4))
    if niche and dice.chance(0.6):
        later = core(voice, niche, sub, dice)
        later = core(voice, niche, sub, dice) if later == text else later
        parts.append(dice.pick(voice_it.STORY_AFTER_IT).format(core=later))
    if voice.themes:
        parts.append(dice.pick(SAYS["it"][dice.pick(voice.themes)]))
    parts.append(dice.pick(voice_it.STORY_END_IT))
    return "\n\n".join(parts[:2]) + " " + " ".join(parts[2:])


def _shape_it(voice: Voice, text: str, niche: str, sub: str, dice: Dice) -> str:
    emo = dice.pick(voice_it.EMOJI[niche]) if niche else "✨"
    roll = dice.random()
    if roll < voice.story:
        return _story(voice, text, niche, sub, dice)
    if roll < voice.story + voice.codemix:
        return f"{dice.pick(voice_it.CODEMIX_IT)}: {text} {emo}"
    if roll < 0.55:
        return f"{_cap(text)} {emo}" if dice.chance(voice.emoji) else _cap(text)
    if roll < 0.72:
        return f"{dice.pick(voice_it.OPENERS_IT)} {text} {emo}"
    if roll < 0.82 and niche:
        items = [text, core(voice, niche, sub, dice), core(voice, niche, sub, dice)]
        return "Cose di questi giorni:\n" + "\n".join(f"— {item}" for item in items)
    return f"{_cap(text)}. {_closer(voice, dice)}"


def _shape_other(voice: Voice, text: str, niche: str, dice: Dice) -> str:
    emo = dice.pick(voice_it.EMOJI[niche]) if niche else "✨"
    roll = dice.random()
    openers = lex_en.OPENERS_EN if voice.language == "en" else lex_es.OPENERS_ES
    if roll < 0.45:
        return f"{_cap(text)} {emo}" if dice.chance(voice.emoji) else _cap(text)
    if roll < 0.7:
        return f"{dice.pick(openers)} {text} {emo}"
    return f"{_cap(text)}. {_closer(voice, dice)}"


def _typo(text: str, dice: Dice) -> str:
    swaps = [pair for pair in voice_it.MISSPELL_IT if f" {pair[0]} " in f" {text} "]
    if swaps and dice.chance(0.6):
        right, wrong = dice.pick(swaps)
        return f" {text} ".replace(f" {right} ", f" {wrong} ", 1).strip()
    i = dice.between(1, max(1, len(text) - 2))
    word_start = max(text.rfind(" ", 0, i), text.rfind("\n", 0, i)) + 1
    if not text[i - 1 : i + 1].isalpha() or text[word_start] in "@#":
        return text  # never mangle a handle or a hashtag
    if dice.chance(0.5):
        return text[:i] + text[i] + text[i:]  # a doubled letter
    return text[: i - 1] + text[i] + text[i - 1] + text[i + 1 :]  # two letters swapped


def _join(body: str, sentence: str) -> str:
    """Append a sentence, closing the previous one when it ends on a word."""
    return f"{body}. {sentence}" if body[-1:].isalnum() else f"{body} {sentence}"


def finish(voice: Voice, body: str, niche: str, dice: Dice, *, plain: bool = False) -> str:
    """Voice marks around a body: dialect, slang, values, hashtags, typos."""
    if voice.region and dice.chance(voice.dialect):
        body = f"{dice.pick(voice_it.DIALECT[voice.region])} {body}"
    if dice.chance(voice.slang):
        body = f"{body} {_slang(voice, dice)}"
    if not plain and voice.themes and dice.chance(voice.value_rate):
        body = _join(body, dice.pick(SAYS[voice.language][dice.pick(voice.themes)]))
    if dice.chance(voice.typo):
        body = _typo(body, dice)
    if dice.chance(voice.tagging):
        body = f"{body}\n\n{_hashtags(voice, niche, dice)}"
    return body


def organic(voice: Voice, niche: str, sub: str, dice: Dice) -> str:
    text = core(voice, niche, sub, dice)
    if voice.language == "it":
        return finish(voice, _shape_it(voice, text, niche, sub, dice), niche, dice)
    return finish(voice, _shape_other(voice, text, niche, dice), niche, dice)


def shoutout(voice: Voice, niche: str, sub: str, brand: str, dice: Dice) -> str:
    """An unpaid mention of a brand (by handle or by plain name)."""
    pools = {"it": voice_it.SHOUTOUT_IT, "en": lex_en.SHOUTOUT_EN, "es": lex_es.SHOUTOUT_ES}
    body = dice.pick(pools[voice.language]).format(core=core(voice, niche, sub, dice), brand=brand)
    return finish(voice, _cap(body), niche, dice)


def sponsored(
    voice: Voice, niche: str, sub: str, brand: str, handle: str, code: str, dice: Dice,
    *, disclose: bool = True,
) -> str:  # fmt: skip
    """A paid post; the disclosure goes first, last, or on its own line."""
    lang = voice.language
    pools = {
        "it": (voice_it.SPONSORED_IT, voice_it.DISCLOSURE_IT),
        "en": (lex_en.SPONSORED_EN, lex_en.DISCLOSURE_EN),
        "es": (lex_es.SPONSORED_ES, lex_es.DISCLOSURE_ES),
    }
    templates, disclosures = pools[lang]
    name = handle if dice.chance(0.6) else brand
    text = core(voice, niche, sub, dice)
    body = _cap(dice.pick(templates).format(core=text, brand=name, code=code))
    if handle not in body:
        body = f"{body} {handle}"
    body = finish(voice, body, niche, dice, plain=True)
    if not disclose:
        return body
    mark = dice.pick(disclosures).format(handle=handle)
    where = dice.random()
    if where < 0.4:
        return f"{mark} | {body}"
    return f"{body} {mark}" if where < 0.75 else f"{body}\n.\n{mark}"
