"""`make bench`: each stage's throughput on a generated corpus, beside its floors (feedparser, COPY), at several scales.

Per scale: a fresh database, the corpus served on loopback, and the pipeline run chunk by chunk (fetch, land,
parse, clean, extract, load, dedupe), each stage timed on its own. The floors run on the same data in the same
run: feedparser.parse alone on the fetched bytes, and COPY of the rows the load wrote into a scratch table of the
same shape (columns, constraints, indexes). Writes bench/results.json and bench/throughput.png.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import platform
import resource
import shutil
import sys
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import feedparser
import numpy as np
import psycopg2

from bench import chart, corpus
from wirefeed import config, db, load, pipeline
from wirefeed.clean import clean_item
from wirefeed.dedupe.store import assign_stories
from wirefeed.extract import extract_article
from wirefeed.fetch import Fetcher
from wirefeed.gcpause import paused_gc
from wirefeed.models import Feed
from wirefeed.parse import parse

HERE = Path(__file__).parent
ROOT = HERE.parent
QUICK = (1_000, 3_000)
FULL = (10_000, 100_000)
MILLION = 1_000_000
ITEMS_PER_FEED = 50
CHUNK_FEEDS = 40  # feeds per chunk: bounded memory at any scale, and dedupe gets batches of realistic size
PIPELINE = ("fetch", "land", "parse", "clean", "extract", "load", "dedupe")
FLOORS = ("feedparser", "copy")
DATABASE = "wirefeed_bench"
# The rows the load writes, with their id so the scratch table's primary key is maintained too.
COPY_COLUMNS = ("id, feed_id, identity, guid, url, link, title, text, html, authors, categories, language, "
                "published_at, updated_at, flags, content_hash, fetch_id, body_text, agencies, dateline, "
                "syndicated, syndicated_by, word_count, removed")


def fresh_database(workdir: Path) -> str:
    """URL of a newly created, empty database: on WIREFEED_DATABASE_URL's server if set, else embedded."""
    admin = config.database_url() or db.embedded_url(workdir / "pgdata", database="postgres")
    return db.recreate_database(admin, DATABASE)


class Clock:
    """Seconds and items per named stage."""

    def __init__(self):
        self.seconds = defaultdict(float)
        self.items = defaultdict(int)

    @contextmanager
    def __call__(self, stage: str, items: int = 0):
        """Time the block as `stage`, crediting it with `items` items."""
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[stage] += time.perf_counter() - started
            self.items[stage] += items


def warm_up(data: bytes) -> None:
    """Pay the one-off costs (imports, the language model, compiled patterns) before the clock starts."""
    feedparser.parse(data)
    for item in parse(data, url="http://127.0.0.1/warm-up.xml").items[:5]:
        extract_article(clean_item(item))


def run_chunk(conn, fetcher: Fetcher, clock: Clock, feeds: list[tuple[int, str, str]]) -> None:
    """The pipeline over a few feeds, stage by stage, with both floors on the same data."""
    with clock("fetch"):
        # Several at once over the shared connection pool, as fetch_feeds does (the per-host gate aside: the
        # corpus server stands in for one host per outlet).
        with ThreadPoolExecutor(max_workers=config.fetch_workers()) as pool:
            results = pool.map(fetcher.fetch, [url for _, url, _ in feeds])
            fetched = [(feed_id, outlet, result) for (feed_id, _, outlet), result in zip(feeds, results)]
    bad = [f.error for _, _, f in fetched if not f.ok]
    if bad:
        raise RuntimeError(f"{len(bad)} fetches failed, first: {bad[0]}")
    with clock("land"):
        landed = [(feed_id, outlet, load.record_fetch(conn, feed_id, f), f) for feed_id, outlet, f in fetched]
    # With the collector paused, as dedupe runs: its collections would walk this process's caches, not feedparser's.
    with clock("feedparser"), paused_gc():
        floor_items = sum(len(feedparser.parse(f.body).entries) for *_, f in landed)
    clock.items["feedparser"] += floor_items
    with clock("parse"):
        parsed = [(feed_id, outlet, fetch_id, parse(f.body, url=f.final_url or f.url, content_type=f.content_type))
                  for feed_id, outlet, fetch_id, f in landed]
    count = sum(len(p.items) for *_, p in parsed)
    for stage in PIPELINE:
        clock.items[stage] += count
    with clock("clean"):
        cleaned = [(feed_id, outlet, fetch_id, p, [clean_item(i) for i in p.items])
                   for feed_id, outlet, fetch_id, p in parsed]
    with clock("extract"):
        extracted = [(feed_id, fetch_id, p, [extract_article(i, outlet=outlet) for i in items])
                     for feed_id, outlet, fetch_id, p, items in cleaned]
    changed = []
    with clock("load"):
        # The load process_pending runs: the chunk's fetches in one transaction (batches of 40 fetches or 2,000
        # items), marks included.
        loaded = pipeline.load_parsed(conn, [pipeline.ParsedFetch(fetch_id, feed_id, articles, partial=p.partial,
                                                                  error=p.error)
                                             for feed_id, fetch_id, p, articles in extracted])
        for _, ids in loaded:
            changed.extend(ids)
    with clock("dedupe"):
        assign_stories(conn, changed)
    copy_floor(conn, clock, [fetch_id for _, fetch_id, _, _ in extracted])


def copy_floor(conn, clock: Clock, fetch_ids: list[int]) -> None:
    """COPY the rows the load just wrote into the scratch table, timing only the COPY in."""
    buffer = io.BytesIO()
    with conn.cursor() as cur:
        cur.copy_expert(cur.mogrify(f"COPY (SELECT {COPY_COLUMNS} FROM items WHERE fetch_id = ANY(%s)) TO STDOUT",
                                    (fetch_ids,)).decode(), buffer)
        rows = cur.rowcount
        conn.commit()
        buffer.seek(0)
        with clock("copy", rows):
            cur.copy_expert(f"COPY copy_floor ({COPY_COLUMNS}) FROM STDIN", buffer)
            conn.commit()


def pairwise_quality(predicted: np.ndarray, truth: np.ndarray) -> dict:
    """Pairwise precision and recall of a clustering against the true story of each item."""
    def pairs(labels: np.ndarray) -> int:
        _, counts = np.unique(labels, axis=0, return_counts=True)
        return int((counts * (counts - 1) // 2).sum())

    both = pairs(np.stack([predicted, truth], axis=1))
    said, real = pairs(predicted), pairs(truth)
    precision = both / said if said else 1.0
    recall = both / real if real else 1.0
    return {"precision": round(precision, 4), "recall": round(recall, 4),
            "f1": round(2 * precision * recall / (precision + recall), 4) if precision + recall else 0.0,
            "predicted_pairs": said, "true_pairs": real, "items": int(len(truth))}


def dedupe_quality(conn, truth: np.ndarray) -> dict:
    """Compare the stories in the database with the corpus truth (items a feed never loaded are left out)."""
    predicted, expected = [], []
    with conn.cursor(name="quality") as cur:
        cur.itersize = 50_000
        cur.execute("SELECT i.guid, si.story_id FROM items i JOIN story_items si ON si.item_id = i.id")
        for guid, story_id in cur:
            feed, pos = corpus.guid_position(guid)
            predicted.append(story_id)
            expected.append(truth[feed, pos])
    conn.commit()
    return pairwise_quality(np.array(predicted, dtype=np.int64), np.array(expected, dtype=np.int64))


def peak_rss_mb() -> float:
    """The peak resident memory of this process so far (ru_maxrss is in kB on Linux)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def run_scale(items: int, workdir: Path) -> dict:
    """Generate, serve and run one corpus of about `items` items on a fresh database; return its figures."""
    spec = corpus.Spec(feeds=max(1, items // ITEMS_PER_FEED), items_per_feed=ITEMS_PER_FEED)
    folder = workdir / f"corpus-{spec.items}"
    started = time.perf_counter()
    truth = corpus.write(spec, folder)
    print(f"[{spec.items:,} items] corpus ready in {time.perf_counter() - started:.1f}s: {spec.feeds} feeds, "
          f"{spec.pool} pooled stories", flush=True)
    warm_up((folder / corpus.feed_path(0)).read_bytes())
    base, server = corpus.serve(folder)
    conn = psycopg2.connect(fresh_database(workdir))
    clock = Clock()
    try:
        db.migrate(conn)
        with conn.cursor() as cur:
            cur.execute("CREATE TABLE copy_floor (LIKE items INCLUDING DEFAULTS INCLUDING CONSTRAINTS "
                        "INCLUDING INDEXES)")
        conn.commit()
        feeds = [Feed(url=base + corpus.feed_path(f), name=spec.outlet(f), outlet=spec.outlet(f))
                 for f in range(spec.feeds)]
        ids = load.upsert_feeds(conn, feeds)
        rows = [(ids[f.url], f.url, f.outlet) for f in feeds]
        wall = time.perf_counter()
        with Fetcher(allow_private=True) as fetcher:
            for at in range(0, len(rows), CHUNK_FEEDS):
                run_chunk(conn, fetcher, clock, rows[at:at + CHUNK_FEEDS])
                done = clock.items["parse"]
                if (at // CHUNK_FEEDS) % 10 == 9:
                    print(f"  {done:,} items, {done / (time.perf_counter() - wall):,.0f}/s", flush=True)
        quality = dedupe_quality(conn, truth)
    finally:
        conn.close()
        server.shutdown()
    return summarize(spec.items, clock, quality)


def rate(clock: Clock, stage: str) -> dict:
    """Items/s and microseconds per item of one stage."""
    seconds, items = clock.seconds[stage], clock.items[stage]
    return {"items": items, "seconds": round(seconds, 3), "items_per_s": round(items / seconds, 1) if seconds else None,
            "us_per_item": round(1e6 * seconds / items, 1) if items else None}


def summarize(items: int, clock: Clock, quality: dict) -> dict:
    """The figures of one scale: per stage, end to end, floors, ratios, dedupe quality, memory."""
    stages = {stage: rate(clock, stage) for stage in PIPELINE}
    total = sum(clock.seconds[s] for s in PIPELINE)
    count = clock.items["parse"]
    end_to_end = {"items": count, "seconds": round(total, 3), "items_per_s": round(count / total, 1),
                  "us_per_item": round(1e6 * total / count, 1)}
    floors = {floor: rate(clock, floor) for floor in FLOORS}
    ratios = {"end_to_end_vs_parse": round(end_to_end["items_per_s"] / floors["feedparser"]["items_per_s"], 3),
              "load_vs_copy": round(stages["load"]["items_per_s"] / floors["copy"]["items_per_s"], 3),
              "parse_vs_feedparser": round(stages["parse"]["items_per_s"] / floors["feedparser"]["items_per_s"], 3)}
    return {"items": items, "stages": stages, "end_to_end": end_to_end, "floors": floors, "ratios": ratios,
            "dedupe_quality": quality, "peak_rss_mb": peak_rss_mb()}


def report(scales: list[dict], mode: str) -> dict:
    """results.json: the largest scale's figures on top, every scale under `scaling`, and the targets."""
    top = scales[-1]
    costs = [s["end_to_end"]["us_per_item"] for s in scales]
    flat = round(max(costs) / min(costs), 3)
    # In units of the same run's feedparser cost: what is left when the machine's load shifts between scales.
    relative = [s["end_to_end"]["us_per_item"] / s["floors"]["feedparser"]["us_per_item"] for s in scales]
    flat_vs_floor = round(max(relative) / min(relative), 3)
    peak = max(s["peak_rss_mb"] for s in scales)
    targets = {
        "end_to_end_vs_parse": {"value": top["ratios"]["end_to_end_vs_parse"], "target": ">= 0.5"},
        "load_vs_copy": {"value": top["ratios"]["load_vs_copy"], "target": ">= 0.7"},
        "per_item_cost_spread": {"value": flat, "target": "<= 1.25 (largest / smallest end-to-end us per item)"},
        "peak_rss_mb": {"value": peak, "target": "< 1024"},
    }
    for name, limit in (("end_to_end_vs_parse", 0.5), ("load_vs_copy", 0.7)):
        targets[name]["met"] = targets[name]["value"] >= limit
    targets["per_item_cost_spread"]["met"] = flat <= 1.25
    targets["peak_rss_mb"]["met"] = peak < 1024
    return {
        "mode": mode, "items": top["items"], "ratios": top["ratios"], "stages": top["stages"],
        "end_to_end": top["end_to_end"], "floors": top["floors"], "dedupe_quality": top["dedupe_quality"],
        "scaling": [{"items": s["items"], "end_to_end_items_per_s": s["end_to_end"]["items_per_s"],
                     "end_to_end_us_per_item": s["end_to_end"]["us_per_item"],
                     "us_per_item": {k: v["us_per_item"] for k, v in s["stages"].items()},
                     "floors_us_per_item": {k: v["us_per_item"] for k, v in s["floors"].items()},
                     "ratios": s["ratios"], "dedupe_quality": s["dedupe_quality"], "peak_rss_mb": s["peak_rss_mb"]}
                    for s in scales],
        "per_item_cost_spread": flat, "per_item_cost_spread_vs_feedparser": flat_vs_floor,
        "peak_rss_mb": peak, "targets": targets,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
                    "database": "WIREFEED_DATABASE_URL" if config.database_url() else "embedded (pgserver)"},
    }


def show(results: dict) -> None:
    """Print the figures as a table."""
    print(f"\nwirefeed bench ({results['mode']}), {results['items']:,} items; "
          "items/s and us/item by stage:")
    for name, figures in [*results["stages"].items(), ("END TO END", results["end_to_end"]),
                          *((f"floor: {k}", v) for k, v in results["floors"].items())]:
        print(f"  {name:<18} {figures['items_per_s']:>12,.0f}/s {figures['us_per_item']:>10,.1f} us")
    print("ratios:", ", ".join(f"{k} {v}" for k, v in results["ratios"].items()))
    print("scaling (end-to-end us/item):", ", ".join(f"{s['items']:,}: {s['end_to_end_us_per_item']:,.0f}"
                                                    for s in results["scaling"]),
          f"(spread {results['per_item_cost_spread']}, {results['per_item_cost_spread_vs_feedparser']} "
          "relative to feedparser)")
    quality = results["dedupe_quality"]
    print(f"dedupe pairwise precision {quality['precision']}, recall {quality['recall']} "
          f"({quality['true_pairs']:,} true pairs)")
    print(f"peak RSS {results['peak_rss_mb']} MB (this process; the PostgreSQL server is apart)")
    for name, target in results["targets"].items():
        print(f"  target {name}: {target['value']} {target['target']} -> {'met' if target['met'] else 'MISSED'}")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark at the chosen scales and write results.json and the chart."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help=f"small set: {QUICK} items (under 2 minutes)")
    mode.add_argument("--full", action="store_true", help=f"full set: {FULL} items")
    parser.add_argument("--million", action="store_true", help="add the 1M-item scale (about an hour)")
    parser.add_argument("--scales", help="comma-separated item counts instead of the preset ones")
    parser.add_argument("--workdir", type=Path, default=Path(os.environ.get("WIREFEED_BENCH_DIR", ROOT / ".bench")),
                        help="where the corpus and the embedded database live (default .bench)")
    parser.add_argument("--publish", action="store_true", help="also copy the results and chart into docs/")
    args = parser.parse_args(argv)
    name = "full" if args.full else "quick"
    scales = [int(s) for s in args.scales.split(",")] if args.scales else list(FULL if args.full else QUICK)
    if args.million:
        scales.append(MILLION)
    figures = [run_scale(items, args.workdir) for items in scales]
    results = report(figures, name)
    show(results)
    out = HERE / "results.json"
    out.write_text(json.dumps(results, indent=2) + "\n")
    chart.draw(results, HERE / "throughput.png")
    print(f"wrote {out} and {HERE / 'throughput.png'}")
    if args.publish:
        (ROOT / "docs").mkdir(exist_ok=True)
        shutil.copy(out, ROOT / "docs" / "bench-results.json")
        shutil.copy(HERE / "throughput.png", ROOT / "docs" / "bench.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
