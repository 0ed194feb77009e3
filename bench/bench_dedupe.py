"""Near-duplicate index cost per item from 10,000 to 1,000,000 items: items/s at each size and peak RSS.

Each item is turned into its features (tokens, shingles, MinHash, band and sentence keys), its keys are
looked up in the PostgreSQL index (item_bands) and then added to it, in batches, exactly as
wirefeed.dedupe.store.assign_stories does. A quarter of the generated items are edited or truncated copies
of a recent item, so the run also reports how many of those copies the index put forward as candidates.
With --stories it times the whole incremental path instead: items in PostgreSQL, then assign_stories.
bench_index, bench_stories and Corpus are meant for reuse by the end-to-end benchmark.
"""
from __future__ import annotations

import argparse
import json
import resource
import time
from collections import deque
from pathlib import Path

import numpy as np
import psycopg2
from psycopg2.extras import execute_values

from wirefeed import db
from wirefeed.dedupe.match import features
from wirefeed.dedupe.store import add, assign_stories, lookup

OUT = Path(__file__).parent / "out"
DATABASE = "wirefeed_bench_dedupe"
_VOCABULARY = 40_000
_RECENT = 2_000  # copies are made of the last items, as outlets republish the day's wire


def _words(rng: np.random.Generator) -> np.ndarray:
    """A fixed vocabulary of pronounceable pseudo-words."""
    syllables = np.array(["ka", "lo", "mi", "ne", "ru", "ta", "vi", "so", "de", "pa", "ri", "gu", "an", "el",
                          "or", "us", "ba", "ti", "me", "zo"])
    picks = rng.integers(0, len(syllables), size=(_VOCABULARY, 4))
    lengths = rng.integers(1, 5, size=_VOCABULARY)
    return np.array(["".join(syllables[p[:n]]) for p, n in zip(picks, lengths)])


class Corpus:
    """Deterministic news-like documents: Zipf-distributed words, sentences, paragraphs, and copies."""

    def __init__(self, seed: int = 0):
        self.rng = np.random.default_rng(seed)
        self.words = _words(self.rng)
        ranks = np.arange(1, _VOCABULARY + 1)
        self.cdf = np.cumsum(1 / ranks) / np.sum(1 / ranks)
        self.recent: deque[tuple[int, str]] = deque(maxlen=_RECENT)

    def _original(self) -> str:
        """A new story: 4 to 10 paragraphs of 2 to 3 sentences of 12 to 28 words."""
        paragraphs = []
        for _ in range(self.rng.integers(4, 11)):
            sentences = []
            for _ in range(self.rng.integers(2, 4)):
                ids = np.searchsorted(self.cdf, self.rng.random(self.rng.integers(12, 29)))
                sentence = " ".join(self.words[ids])
                sentences.append(sentence[0].upper() + sentence[1:] + ".")
            paragraphs.append(" ".join(sentences))
        return "\n\n".join(paragraphs)

    def _copy(self, source: str) -> str:
        """An outlet's copy: a few words edited, or the last paragraph dropped, or two paragraphs and "Read more"."""
        paragraphs = source.split("\n\n")
        kind = self.rng.integers(0, 3)
        if kind == 0:
            words = source.split(" ")
            for at in self.rng.integers(0, len(words), size=3):
                words[at] = self.words[self.rng.integers(0, _VOCABULARY)]
            return " ".join(words)
        if kind == 1:
            return "\n\n".join(paragraphs[:-1])
        return "\n\n".join(paragraphs[:2]) + "\n\nRead more"

    def next(self, index: int) -> tuple[str, int | None]:
        """The next document and the index of the item it copies (None for an original)."""
        if self.recent and self.rng.random() < 0.25:
            source_index, source = self.recent[self.rng.integers(0, len(self.recent))]
            return self._copy(source), source_index
        text = self._original()
        self.recent.append((index, text))
        return text, None


def _bench_url(url: str, database: str) -> str:
    """The server of `url` with the bench's own database, created afresh and migrated."""
    bench_url = db.recreate_database(url, database)
    conn = psycopg2.connect(bench_url)
    db.migrate(conn)
    conn.close()
    return bench_url


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_index(conn, sizes: list[int], *, batch: int = 1000, seed: int = 0) -> dict:
    """Index up to max(sizes) generated items; items/s over the last tenth before each size, and peak RSS."""
    corpus = Corpus(seed)
    checkpoints = sorted(sizes)
    results, copies, found = [], 0, 0
    # Items indexed so far -> cumulative seconds: wall time in all, CPU time of the features, lookup, add.
    spent = {0: np.zeros(4)}
    index, total = 0, checkpoints[-1]
    while index < total:
        docs = [corpus.next(index + k) for k in range(min(batch, total - index))]
        started, cpu = time.perf_counter(), time.process_time()
        keyed = [(index + k, set(features(text).band_keys.tolist())) for k, (text, _) in enumerate(docs)]
        featured, cpu = time.perf_counter(), time.process_time() - cpu
        with conn.cursor() as cur:
            hits = lookup(cur, sorted(set().union(*(keys for _, keys in keyed))))
            looked = time.perf_counter()
            add(cur, [(key, item) for item, keys in keyed for key in keys])
        conn.commit()
        done = time.perf_counter()
        by_key = {}
        for key, item in hits:
            by_key.setdefault(key, set()).add(item)
        for (item, keys), (_, source) in zip(keyed, docs):
            if source is not None and source < index:  # copies of items indexed in an earlier batch
                copies += 1
                found += any(source in by_key.get(key, ()) for key in keys)
        spent[index + len(docs)] = spent[index] + [done - started, cpu, looked - featured, done - looked]
        index += len(docs)
        if index in checkpoints:
            # The marginal cost at this size: the last tenth of the items only.
            start = max(k for k in spent if k <= index - index // 10)
            wall, features_s, lookup_s, add_s = (spent[index] - spent[start]) / (index - start)
            with conn.cursor() as cur:
                cur.execute("SELECT pg_total_relation_size('item_bands')")
                table_mb = cur.fetchone()[0] / 2**20
            conn.commit()
            results.append({"items": index, "items_per_s": round(1 / wall, 1),
                            "ms_per_item": {"features_cpu": round(features_s * 1e3, 3),
                                            "lookup": round(lookup_s * 1e3, 3), "add": round(add_s * 1e3, 3)},
                            "peak_rss_mb": round(peak_rss_mb(), 1), "index_mb_in_postgres": round(table_mb, 1),
                            "copy_candidate_recall": round(found / copies, 4) if copies else None})
            print(f"{index:>9,} items: {1 / wall:7.1f} items/s (last tenth; per item: features {features_s * 1e3:.2f} ms "
                  f"CPU, lookup {lookup_s * 1e3:.2f} ms, add {add_s * 1e3:.2f} ms), peak RSS {peak_rss_mb():.1f} MB, "
                  f"index {table_mb:.1f} MB in PostgreSQL, copies found {found}/{copies}", flush=True)
    return {"batch": batch, "sizes": results}


def bench_stories(conn, sizes: list[int], *, batch: int = 1000, seed: int = 0) -> dict:
    """The whole incremental path: load generated items, assign_stories batch by batch; items/s and quality."""
    corpus = Corpus(seed)
    checkpoints = sorted(sizes)
    with conn.cursor() as cur:
        cur.execute("INSERT INTO feeds (url, name, outlet) VALUES ('bench://dedupe', 'bench', 'BENCH') RETURNING id")
        feed_id = cur.fetchone()[0]
    conn.commit()
    source_of, item_of, results = {}, {}, []
    spent = {0: 0.0}
    index, total = 0, checkpoints[-1]
    while index < total:
        docs = [corpus.next(index + k) for k in range(min(batch, total - index))]
        rows = [(feed_id, f"bench:{index + k}", text, text, f"{index + k}") for k, (text, _) in enumerate(docs)]
        with conn.cursor() as cur:
            ids = execute_values(cur, """INSERT INTO items (feed_id, identity, text, body_text, content_hash)
                                         VALUES %s RETURNING id""", rows, page_size=batch, fetch=True)
        conn.commit()
        for k, ((item_id,), (_, source)) in enumerate(zip(ids, docs)):
            item_of[index + k] = item_id
            if source is not None:
                source_of[item_id] = item_of[source]
        started = time.perf_counter()
        assign_stories(conn, [item_id for (item_id,) in ids])
        spent[index + len(docs)] = spent[index] + time.perf_counter() - started
        index += len(docs)
        if index in checkpoints:
            start = max(k for k in spent if k <= index - index // 10)
            rate = (index - start) / (spent[index] - spent[start])
            with conn.cursor() as cur:
                cur.execute("SELECT item_id, story_id FROM story_items")
                story = dict(cur.fetchall())
                cur.execute("SELECT count(*) FROM stories")
                stories = cur.fetchone()[0]
            conn.commit()
            joined = sum(story[copy] == story[source] for copy, source in source_of.items())
            originals = index - len(source_of)
            results.append({"items": index, "items_per_s": round(rate, 1), "peak_rss_mb": round(peak_rss_mb(), 1),
                            "copies_joined": joined, "copies": len(source_of), "stories": stories,
                            "originals": originals})
            print(f"{index:>9,} items: {rate:7.1f} items/s through assign_stories (last tenth), peak RSS "
                  f"{peak_rss_mb():.1f} MB, copies joined {joined}/{len(source_of)}, {stories:,} stories for "
                  f"{originals:,} originals", flush=True)
    return {"batch": batch, "sizes": results}


def main(argv: list[str] | None = None) -> dict:
    """Run the benchmark (10k and 100k; 1M with --full) and write its JSON under bench/out/."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="go on to 1,000,000 items (about an hour on 2 busy cores)")
    parser.add_argument("--sizes", type=int, nargs="*", help="explicit checkpoint sizes")
    parser.add_argument("--stories", action="store_true",
                        help="time the whole path (items in PostgreSQL, assign_stories) instead of the index alone")
    parser.add_argument("--database-url", help="server to use (default: WIREFEED_DATABASE_URL or embedded)")
    args = parser.parse_args(argv)
    sizes = args.sizes or ([10_000, 100_000, 1_000_000] if args.full else [10_000, 100_000])
    database = DATABASE + ("_stories" if args.stories else "")
    conn = psycopg2.connect(_bench_url(db.resolve_url(args.database_url), database))
    try:
        if args.stories:
            report = {"benchmark": "dedupe assign_stories", **bench_stories(conn, sizes)}
        else:
            report = {"benchmark": "dedupe near-duplicate index", **bench_index(conn, sizes)}
    finally:
        conn.close()
    OUT.mkdir(exist_ok=True)
    name = "bench_dedupe_stories.json" if args.stories else "bench_dedupe.json"
    (OUT / name).write_text(json.dumps(report, indent=1) + "\n")
    return report


if __name__ == "__main__":
    main()
