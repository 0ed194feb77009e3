"""Extraction throughput (items/s) on the labelled wire items beside parse + clean of the same files, and on the
generated benchmark corpus."""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from wirefeed.extract import extract_article, warm_up
from wirefeed.extract.reader import read_item
from wirefeed.models import Item

ROOT = Path(__file__).resolve().parents[1]
ITEMS = ROOT / "tests/fixtures/extract/items"
OUT = Path(__file__).parent / "out"


def load_documents(folder: Path = ITEMS) -> list[bytes]:
    """The raw bytes of every labelled item file (wire text, HTML, RSS, JSON)."""
    return [path.read_bytes() for path in sorted(folder.iterdir()) if path.is_file()]


def _best_seconds(run, repeats: int) -> float:
    """The fastest of `repeats` runs (the least disturbed by other processes on the machine)."""
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    return best


def extraction_rate(items: list[Item], *, repeats: int = 3) -> float:
    """Items/s of extract_article over cleaned items (reusable by the end-to-end benchmark)."""
    warm_up()  # the gazetteer and language model load once per process, outside the timing
    seconds = _best_seconds(lambda: [extract_article(item) for item in items], repeats)
    return len(items) / seconds


def generated_items(feeds: int = 10) -> list[Item]:
    """Cleaned items of the generated benchmark corpus (wire copies with datelines, sign-offs, disclaimers)."""
    from bench import corpus
    from wirefeed.clean import clean_item
    from wirefeed.parse import parse

    spec = corpus.Spec(feeds=feeds)
    return [clean_item(item) for feed in range(feeds)
            for item in parse(corpus.render(spec, feed, corpus.entries(spec, feed))).items]


def measure(documents: list[bytes], *, copies: int = 20, repeats: int = 3) -> dict:
    """Items/s of read (parse + clean) and of extract on `copies` rounds of the documents."""
    batch = documents * copies
    read_seconds = _best_seconds(lambda: [read_item(doc) for doc in batch], repeats)
    items = [read_item(doc) for doc in batch]
    rate = extraction_rate(items, repeats=repeats)
    generated = generated_items()
    return {
        "items": len(items),
        "distinct_documents": len(documents),
        "parse_clean_items_per_s": round(len(items) / read_seconds, 1),
        "extract_items_per_s": round(rate, 1),
        "mean_text_chars": round(sum(len(item.text) for item in items) / len(items)),
        "generated_items": len(generated),
        "generated_extract_items_per_s": round(extraction_rate(generated, repeats=repeats), 1),
        "generated_mean_text_chars": round(sum(len(item.text) for item in generated) / len(generated)),
        "repeats": repeats,
    }


def main() -> None:
    """Run the benchmark, print the figures and write bench/out/bench_extract.json."""
    args = argparse.ArgumentParser(description=__doc__)
    args.add_argument("--copies", type=int, default=20, help="rounds of the labelled items per run")
    args.add_argument("--repeats", type=int, default=3)
    opts = args.parse_args()
    figures = measure(load_documents(), copies=opts.copies, repeats=opts.repeats)
    OUT.mkdir(exist_ok=True)
    (OUT / "bench_extract.json").write_text(json.dumps(figures, indent=2) + "\n")
    print(f"{figures['items']} items ({figures['distinct_documents']} distinct), "
          f"{figures['mean_text_chars']} characters of text on average")
    print(f"parse + clean : {figures['parse_clean_items_per_s']:>9.1f} items/s")
    print(f"extract       : {figures['extract_items_per_s']:>9.1f} items/s")
    print(f"extract on {figures['generated_items']} generated corpus items "
          f"({figures['generated_mean_text_chars']} characters): {figures['generated_extract_items_per_s']:.1f} items/s")


if __name__ == "__main__":
    main()
