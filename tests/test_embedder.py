"""The default embedder works offline and handles Italian; MiniLM stays selectable."""

from __future__ import annotations

import numpy as np
import pytest

from models.embedder import HashingEmbedder, load_embedder
from models.embedding_cache import CachedEmbedder
from tests.bilingual_pairs import PAIRS


@pytest.fixture(scope="module")
def use() -> CachedEmbedder:
    return CachedEmbedder(load_embedder("use-multilingual-v3", threads=1), None)


def test_vectors_are_float32_and_unit_length(use: CachedEmbedder) -> None:
    vectors = use.encode(["ciao a tutti", "hello everyone", ""])
    assert vectors.dtype == np.float32 and vectors.shape == (3, 512)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)


@pytest.mark.parametrize("direction", ["it->en", "en->it"])
def test_italian_and_english_retrieve_each_other(use: CachedEmbedder, direction: str) -> None:
    italian = use.encode([it for it, _ in PAIRS])
    english = use.encode([en for _, en in PAIRS])
    queries, docs = (italian, english) if direction == "it->en" else (english, italian)
    top1 = (queries @ docs.T).argmax(axis=1)
    assert (top1 == np.arange(len(PAIRS))).sum() >= 9
    assert float(np.mean(np.sum(italian * english, axis=1))) > 0.6


def test_brief_in_either_language_finds_italian_creators(use: CachedEmbedder) -> None:
    creators = use.encode([it for it, _ in PAIRS])
    for brief, expected in [
        ("cerchiamo creator di cucina per ricette con pomodoro", 1),
        ("we want hiking creators: tents, boots and mountain trips", 5),
        ("pet food brand looking for dog owners", 6),
    ]:
        assert int((creators @ use.encode([brief])[0]).argmax()) == expected


def test_cache_returns_the_same_vectors(tmp_path) -> None:  # type: ignore[no-untyped-def]
    cached = CachedEmbedder(HashingEmbedder(), tmp_path / "e.db")
    first = cached.encode(["uno", "due", "uno"])
    again = CachedEmbedder(HashingEmbedder(), tmp_path / "e.db")
    second = again.encode(["due", "uno"])
    assert again.misses == 0 and again.hits == 2
    np.testing.assert_array_equal(first[[1, 0]], second)
    np.testing.assert_array_equal(first[0], first[2])


@pytest.mark.slow
def test_minilm_loads_offline_from_its_package() -> None:
    minilm = load_embedder("all-MiniLM-L6-v2", threads=1)
    vectors = minilm.encode(["hello world", "ciao mondo"])
    assert vectors.shape == (2, 384)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)


def test_unknown_embedder_names_the_choices() -> None:
    with pytest.raises(ValueError, match="use-multilingual-v3"):
        load_embedder("no-such-model")


def test_a_killed_encode_keeps_what_it_embedded(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from models import embedding_cache

    monkeypatch.setattr(embedding_cache, "_FLUSH_EVERY", 4)

    class DiesOnThirdBatch(HashingEmbedder):
        calls = 0

        def encode(self, texts, batch_size=64):  # type: ignore[no-untyped-def]
            DiesOnThirdBatch.calls += 1
            if DiesOnThirdBatch.calls == 3:
                raise KeyboardInterrupt  # as a killed build would stop
            return super().encode(texts, batch_size)

    texts = [f"testo numero {i}" for i in range(12)]
    with pytest.raises(KeyboardInterrupt):
        CachedEmbedder(DiesOnThirdBatch(), tmp_path / "e.db").encode(texts, batch_size=4)
    again = CachedEmbedder(HashingEmbedder(), tmp_path / "e.db")
    again.encode(texts, batch_size=4)
    assert (again.hits, again.misses) == (8, 4)  # the first two batches survived
