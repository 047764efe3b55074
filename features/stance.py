"""Critical stance in captions: the author turns against an activity, a product category or a
scene ("ho smesso di andare in bici e non mi manca", "I gave up veganism", "ya no hago
crossfit, era una secta").

A creator who has quit a scene, or mocks it, is a poor advocate for a brand in it, whatever
their topic similarity says. Two readings are combined:

- lexicon rules, Italian, English and Spanish: a *lapse* (quit, gave up, ho mollato, dejé,
  ya no…) or a *verdict* on a scene (a cult, a scam, overrated, una truffa, postureo…). A
  complaint about the weather or a bad day has neither;
- when caption vectors are given (USE multilingual v3, 512-d, L2-normalised: the catalog
  build embeds every caption anyway), a logistic regression on them, fitted on
  `features/data/stance_train.jsonl` (written apart from the evaluation captions in
  tests/data/captions) and shipped as `features/data/stance_weights.npz`.

Without vectors the rules decide alone. Nothing here imports a model: vectors are an argument.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from importlib.resources import files

import numpy as np

# Giving an activity up, in the first person (or its aftermath: "non mi manca", "never again").
_LAPSE = (
    # Italian (with the usual typos and dialect of a caption)
    r"\bho (?:smesso|mollato|chiuso|lasciato|abbandonato|disinstallato|venduto|tolto|buttato)\b",
    r"\bsono passat[oa] da(?:l|lla|i|gli)?\b",
    r"\b(?:mi sono|me ne sono) (?:cancellat|disiscritt|rott|uscit|stufat|stancat)",
    r"\bsono (?:uscit[oa] dal|tornat[oa] al telefono)|\baggio lasciato|\bme ne so' uscit",
    r"\bnon (?:mi manca|ci vado più|lo riscarico|ne posso più|fa per me)",
    r"\bmai più\b|\baddio (?:a|al|alla|alle|ai)?\b|\bbasta con\b|\bfine del mio periodo",
    r"\b(?:io )?(?:e|con) (?:l[ao'] ?|il |i |le |lo )?\w+ (?:abbiamo|ho) chiuso",
    r"\bniente più\b|\bho detto basta\b|\bquest'anno niente\b|\bmi ha(?:nno)? stufat",
    # English
    r"\b(?:i )?(?:quit|gave up|stopped|left|deleted|ditched|uninstalled)\b",
    r"\bgave up on\b|\bi'?m (?:so )?(?:over|done with|out)\b|\bnever again\b|\bretired\b",
    r"\b(?:bye bye|goodbye)\b|\bnot for me anymore|\bdon'?t (?:do|miss) \w+ anymore",
    r"\bi (?:used to|don'?t) (?:be|do)\b|\bswitched from\b|\bback (?:in|to) (?:a|my)\b",
    # Spanish
    r"\b(?:dej[eé]|he dejado|ya no (?:hago|voy|compro|me f[ií]o))\b",
    r"\bme (?:he )?(?:dado de baja|borrado|salido|sal[ií])\b",
    r"\bvend[ií] (?:la|el|mi)\b|\bdesinstal[eé]\b|\bse acab[oó]\b|\badi[oó]s (?:a|al)\b",
    r"\bme (?:tiene|tienen) (?:harta|harto|frita|frito)|\bme he cansado\b",
    r"\blo echo (?:cero )?de menos",
    r"\bno,? gracias\b",
)
# A verdict on a scene: cult, scam, overrated, a circus, postureo, a business built on fear.
_VERDICT = (
    r"\b(?:setta|truffa|circo|trappola|presa in giro|aria fritta|cavolat|cazzat|follia)\w*",
    r"\bsopravvalutat\w*|\btossic\w*|\bgreenwashing\b|\bsnobismo\b|\bridicol\w*",
    r"\bbusiness sulle|\bsolo marketing\b|\bun supermercato\b|\buno status symbol\b",
    r"\b(?:cult|scam|overrated|gross|hollow|a lie|money machine|dating apps?)\b",
    r"\bconsumerism\b|\boverconsumption\b|\bpodcast bros\b|\bfood fear\b|\bhot take\b",
    r"\b(?:secta|estafa|postureo|humo|pasarela|tortura|invento)\b",
    r"\bpretenciosos\b|\bmercado de carne\b|\bexplotaci[oó]n\b",
)
_LAPSE_RE = re.compile("|".join(_LAPSE), re.IGNORECASE)
_VERDICT_RE = re.compile("|".join(_VERDICT), re.IGNORECASE)
# Rule scores: a lapse alone says the author left; a verdict alone is a strong opinion.
_LAPSE_SCORE, _VERDICT_SCORE, _BOTH_SCORE = 0.7, 0.6, 0.95
THRESHOLD = 0.5


def rule_scores(captions: Sequence[str]) -> np.ndarray:
    """Lexicon reading in [0, 1]: 0 (nothing), a lapse, a verdict, or both."""
    out = np.zeros(len(captions), dtype=np.float64)
    for row, caption in enumerate(captions):
        lapse = _LAPSE_RE.search(caption) is not None
        verdict = _VERDICT_RE.search(caption) is not None
        if lapse and verdict:
            out[row] = _BOTH_SCORE
        elif lapse:
            out[row] = _LAPSE_SCORE
        elif verdict:
            out[row] = _VERDICT_SCORE
    return out


def critical_scores(captions: Sequence[str], vectors: np.ndarray | None = None) -> np.ndarray:
    """How critical each caption's author is of an activity or scene, in [0, 1]."""
    rules = rule_scores(captions)
    if vectors is None or len(captions) == 0:
        return rules
    return np.clip(0.5 * rules + 0.5 * vector_scores(vectors), 0.0, 1.0)


def critical_posts(
    captions: Sequence[str], vectors: np.ndarray | None = None, threshold: float = THRESHOLD
) -> np.ndarray:
    """True for captions whose author speaks against, or has quit, an activity or scene."""
    return critical_scores(captions, vectors) >= threshold


# What the catalog counts toward `critical_stance`: stricter than THRESHOLD, since a post read
# as critical by mistake demotes an advocate. On the caption set's dev part: precision 1.0,
# recall 0.94 (THRESHOLD: 1.0, 1.0); on the golden set's dev part it drops 7 of the 13
# captions THRESHOLD reads as critical, none of them a critic's.
FLAG_THRESHOLD = 0.6
# The vectors the shipped regression was fitted on; other embedders' vectors are not read.
STANCE_EMBEDDER = "use-multilingual-v3"


def vector_scores(vectors: np.ndarray) -> np.ndarray:
    """The shipped logistic regression on caption vectors (USE multilingual v3, 512-d)."""
    weights, bias = _weights()
    matrix = np.asarray(vectors, dtype=np.float64)
    if matrix.ndim != 2 or matrix.shape[1] != weights.shape[0]:
        width = weights.shape[0]
        raise ValueError(f"expected caption vectors of width {width}, got {matrix.shape}")
    return 1.0 / (1.0 + np.exp(-(matrix @ weights + bias)))


@cache
def _weights() -> tuple[np.ndarray, float]:
    with files("features").joinpath("data", "stance_weights.npz").open("rb") as handle:
        saved = np.load(handle)
        return np.asarray(saved["coef"], dtype=np.float64), float(saved["intercept"])
