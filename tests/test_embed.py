"""Embeddings batched by length must come back in the caller's order, unchanged."""

from __future__ import annotations

import numpy as np

from distill.embed import default_embedder, length_batches


def test_length_batches_group_similar_lengths_and_keep_every_index() -> None:
    lengths = [200, 5, 90, 12, 95, 7, 60, 200]
    batches = length_batches(lengths, size=3)
    assert sorted(i for batch in batches for i in batch) == list(range(len(lengths)))
    for batch in batches:
        assert len(batch) <= 3
        sizes = [lengths[i] for i in batch]
        assert max(sizes) <= 1.3 * max(min(sizes), 8)


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
