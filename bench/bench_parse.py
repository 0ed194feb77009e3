"""Parse + clean throughput on a large generated feed, beside feedparser.parse alone on the same bytes."""
from __future__ import annotations

import argparse
import json
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from xml.sax.saxutils import escape

import feedparser

from wirefeed.clean import clean_item
from wirefeed.parse import parse

OUT = Path(__file__).parent / "out"
_PARAGRAPH = ("NEW DELHI [India], May {day} (ANI): The minister said on {weekday} that the talks had been "
              "&quot;deep and strategic&quot; &amp; would continue, citing <a href=\"/news/{n}?utm_source=rss\">"
              "earlier reports</a> and a statement from the ministry&#8217;s spokesperson.")


def generate_feed(items: int = 5000, *, seed_date: datetime | None = None) -> bytes:
    """An RSS 2.0 feed of `items` wire-like entries with HTML bodies (links, images, entities, a script)."""
    start = seed_date or datetime(2025, 5, 20, 12, 0, tzinfo=timezone.utc)
    entries = []
    for n in range(items):
        published = start - timedelta(minutes=7 * n)
        body = "".join(f"<p>{_PARAGRAPH.format(day=published.day, weekday=published.strftime('%A'), n=n)}</p>"
                       for _ in range(4))
        body += f'<p><img src="/img/{n}.jpg" onerror="alert(1)"> Photo</p><script>track({n})</script>'
        entries.append(
            f"<item><title>Story {n}: ministers highlight partnership &amp; security</title>"
            f"<link>https://news.example.com/world/story-{n}?utm_source=feed&amp;id={n}</link>"
            f"<guid isPermaLink=\"false\">urn:example:{n}</guid>"
            f"<pubDate>{published.strftime('%a, %d %b %Y %H:%M:%S +0000')}</pubDate>"
            f"<dc:creator>Desk {n % 17}</dc:creator><category>World</category><category>Politics</category>"
            f"<description>{escape(body)}</description></item>")
    return ("<?xml version=\"1.0\" encoding=\"utf-8\"?>"
            "<rss version=\"2.0\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><channel>"
            "<title>Bench wire</title><link>https://news.example.com/</link><description>generated</description>"
            + "".join(entries) + "</channel></rss>").encode("utf-8")


def _best_seconds(runs: dict, repeats: int) -> dict:
    """The fastest of `repeats` runs of each callable, interleaved so a load change hits both alike."""
    best = dict.fromkeys(runs, float("inf"))
    for _ in range(repeats):
        for name, run in runs.items():
            started = time.perf_counter()
            run()
            best[name] = min(best[name], time.perf_counter() - started)
    return best


def measure(data: bytes, *, repeats: int = 5, url: str = "https://news.example.com/feed.xml") -> dict:
    """Items/s of feedparser.parse alone and of wirefeed parse + clean on the same bytes, and their ratio."""
    count = len(feedparser.parse(data).entries)
    best = _best_seconds({"feedparser": lambda: feedparser.parse(data),
                          "ours": lambda: [clean_item(i) for i in parse(data, url=url).items]}, repeats)
    baseline, ours = best["feedparser"], best["ours"]
    return {
        "items": count,
        "bytes": len(data),
        "feedparser_items_per_s": round(count / baseline, 1),
        "parse_clean_items_per_s": round(count / ours, 1),
        "ratio": round(baseline / ours, 3),
        "repeats": repeats,
    }


def main() -> None:
    """Run the benchmark, print the figures and write bench/out/bench_parse.json."""
    args = argparse.ArgumentParser(description=__doc__)
    args.add_argument("--items", type=int, default=5000)
    args.add_argument("--repeats", type=int, default=5)
    opts = args.parse_args()
    figures = measure(generate_feed(opts.items), repeats=opts.repeats)
    OUT.mkdir(exist_ok=True)
    (OUT / "bench_parse.json").write_text(json.dumps(figures, indent=2) + "\n")
    print(f"{figures['items']} items, {figures['bytes'] / 1e6:.1f} MB")
    print(f"feedparser.parse alone : {figures['feedparser_items_per_s']:>9.1f} items/s")
    print(f"wirefeed parse + clean : {figures['parse_clean_items_per_s']:>9.1f} items/s")
    print(f"ratio (target >= 0.5)  : {figures['ratio']:>9.3f}")


if __name__ == "__main__":
    main()
