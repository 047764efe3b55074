"""One chunk of a catalog build: creator documents → an Arrow table of everything a catalog
version stores about them (a "part").

Both build engines make parts with `featurize_chunk`: the local engine chunk by chunk in one
process, the Spark engine in `mapInPandas` over creator partitions (matching/spark_build.py).
`matching.build_finish` turns any set of parts, plus the rows reused from the previous
version, into a catalog version. Freshness (`days_since_last_post`) is measured from the
newest post of the whole catalog, which no chunk knows: parts carry `last_post_at` and the
finishing step sets that feature for every row.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pyarrow as pa

from features.creator_table import AGE_BRACKETS, creator_columns, post_columns
from matching.catalog import NUMBERS
from matching.creator_snapshot import snapshot
from models.embedding_cache import CachedEmbedder

STRING_COLUMNS = ("creator_id", "content_hash", "handle", "country", "language")
AGE_COLUMNS = tuple(f"age_{bracket}" for bracket in AGE_BRACKETS)


def part_schema(feature_names: Sequence[str], dimension: int) -> pa.Schema:
    """The columns of a part (the Spark engine declares the same schema)."""
    return pa.schema(
        [
            *(pa.field(name, pa.string()) for name in STRING_COLUMNS),
            pa.field("platform", pa.int8()),
            *(pa.field(name, pa.float64()) for name in (*NUMBERS, *AGE_COLUMNS)),
            pa.field("last_post_at", pa.float64()),
            pa.field("categories", pa.list_(pa.string())),
            pa.field("audience_country", pa.list_(pa.string())),
            pa.field("audience_share", pa.list_(pa.float64())),
            pa.field("mention_token", pa.list_(pa.string())),
            pa.field("mention_count", pa.list_(pa.float64())),
            *(pa.field(f"f_{name}", pa.float64()) for name in feature_names),
            pa.field("vector", pa.list_(pa.float32(), dimension)),
        ]
    )


def _lists(offsets: np.ndarray, values: pa.Array) -> pa.Array:
    return pa.ListArray.from_arrays(pa.array(offsets.astype(np.int32)), values)


def _named(names: Sequence[str], codes: np.ndarray) -> pa.Array:
    return pa.array(np.asarray(names, dtype=object)[codes].tolist(), pa.string())


def featurize_chunk(
    docs: Sequence[Mapping[str, Any]],
    hashes: Sequence[str],
    brand_keys: frozenset[str],
    embedder: CachedEmbedder,
    on_embedded: Callable[[int], None] | None = None,
) -> pa.Table:
    """Features, content vector, mentions and stored fields of each creator document."""
    creators = creator_columns(docs)
    posts = post_columns(docs, brand_keys)
    n = len(creators)
    snap = snapshot(
        creators,
        posts,
        np.arange(n),
        np.full(n, np.inf),
        embedder,
        on_embedded=on_embedded,
        reference_time=0.0,  # days_since_last_post is set by the finishing step
    )
    token_names, token_offsets, token_rows, token_counts = snap.mentions.to_csr()
    # postings grouped by token → lists grouped by row
    token_of = np.repeat(np.arange(len(token_names)), np.diff(token_offsets))
    order = np.lexsort((token_of, token_rows))
    mention_offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(token_rows, minlength=n), out=mention_offsets[1:])
    categories = creators.categories
    audience = creators.audience_countries
    columns: dict[str, Any] = {
        "creator_id": pa.array(creators.creator_id.tolist(), pa.string()),
        "content_hash": pa.array(list(hashes), pa.string()),
        "handle": pa.array(creators.handle.tolist(), pa.string()),
        "country": pa.array(creators.country.tolist(), pa.string()),
        "language": pa.array(creators.language.tolist(), pa.string()),
        "platform": pa.array(creators.platform.astype(np.int8)),
        **{name: pa.array(getattr(creators, name), pa.float64()) for name in NUMBERS},
        **{
            name: pa.array(creators.audience_ages[:, i], pa.float64())
            for i, name in enumerate(AGE_COLUMNS)
        },
        "last_post_at": pa.array(snap.last_post_at, pa.float64()),
        "categories": _lists(categories.offsets, _named(categories.names, categories.codes)),
        "audience_country": _lists(audience.offsets, _named(audience.names, audience.codes)),
        "audience_share": _lists(audience.offsets, pa.array(audience.values, pa.float64())),
        "mention_token": _lists(mention_offsets, _named(token_names, token_of[order])),
        "mention_count": _lists(mention_offsets, pa.array(token_counts[order], pa.float64())),
        **{
            f"f_{name}": pa.array(values, pa.float64())
            for name, values in sorted(snap.features.items())
        },
        "vector": pa.FixedSizeListArray.from_arrays(
            pa.array(np.ascontiguousarray(snap.vectors, dtype=np.float32).ravel()),
            snap.vectors.shape[1],
        ),
    }
    return pa.table(columns)
