"""The benchmark corpus: its ground truth matches what it generates, and it parses as the feeds it claims to be."""
from __future__ import annotations

from collections import Counter
from datetime import timedelta
from urllib.request import urlopen

import feedparser
import numpy as np
import pytest

from bench import corpus
from bench.run import pairwise_quality

SPEC = corpus.Spec(feeds=12, items_per_feed=20, syndicated=0.5, copies=3.0)


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """The corpus written to a folder, with its truth array."""
    folder = tmp_path_factory.mktemp("corpus")
    return folder, corpus.write(SPEC, folder)


def test_truth_has_one_story_per_item(written):
    folder, truth = written
    assert truth.shape == (SPEC.feeds, SPEC.items_per_feed)
    assert len(list((folder / "feeds").glob("*.xml"))) == SPEC.feeds


def test_syndicated_share_is_as_configured(written):
    _, truth = written
    pooled = truth < SPEC.pool  # pooled story ids come first; originals follow
    assert (pooled.sum(axis=1) == SPEC.syndicated_per_feed).all()
    assert pooled.mean() == pytest.approx(SPEC.syndicated, abs=1 / SPEC.items_per_feed)
    originals = truth[~pooled]
    assert len(set(originals.tolist())) == len(originals)  # an original is in one feed only


def test_a_feed_runs_a_pooled_story_once(written):
    _, truth = written
    for row in truth:
        pooled = [s for s in row.tolist() if s < SPEC.pool]
        assert len(pooled) == len(set(pooled))


def test_copies_exist_and_lookalikes_are_distinct_stories(written):
    _, truth = written
    copies = Counter(s for s in truth.ravel().tolist() if s < SPEC.pool)
    assert max(copies.values()) > 1
    kinds = Counter(corpus.story(SPEC, s).kind for s in range(SPEC.pool))
    assert kinds["market"] + kinds["fuel"] > 0 and kinds["wire"] > 0
    fuel = [corpus.story(SPEC, s) for s in range(SPEC.pool) if corpus.story(SPEC, s).kind == "fuel"]
    assert len({f.paragraphs for f in fuel}) == len(fuel)  # same template, different figures


def test_a_larger_corpus_spans_more_days_not_denser_ones():
    # 1M items: at a fixed 60 days, a city's fuel notes crowded 17 to a day (1.7 at 100k), told apart by prices only.
    small, large = corpus.Spec(feeds=2_000), corpus.Spec(feeds=20_000)
    assert small.days == corpus.DAYS and small.start == corpus.START  # 100k items: the corpus as it always was
    assert large.days * corpus.POOLED_PER_DAY >= large.pool
    stretch_end = corpus.START + timedelta(days=corpus.DAYS)
    days = {corpus.story(large, sid).published.date() for sid in range(0, large.pool, 25)}
    assert len(days) > 0.9 * large.days
    assert min(days) >= large.start.date() and max(days) < stretch_end.date()


def test_documents_parse_with_the_guids_the_truth_names(written):
    folder, truth = written
    for feed in (0, 1):  # one RSS, one Atom
        parsed = feedparser.parse((folder / corpus.feed_path(feed)).read_bytes())
        assert not parsed.bozo
        assert parsed.version == ("rss20" if feed == 0 else "atom10")
        positions = sorted(corpus.guid_position(e.id) for e in parsed.entries)
        assert positions == [(feed, pos) for pos in range(SPEC.items_per_feed)]


def test_generation_is_deterministic(tmp_path, written):
    folder, truth = written
    again = corpus.write(SPEC, tmp_path)
    assert (again == truth).all()
    assert (tmp_path / corpus.feed_path(3)).read_bytes() == (folder / corpus.feed_path(3)).read_bytes()


def test_server_serves_the_documents(written):
    folder, _ = written
    base, server = corpus.serve(folder)
    try:
        with urlopen(base + corpus.feed_path(2)) as response:
            assert response.read() == (folder / corpus.feed_path(2)).read_bytes()
    finally:
        server.shutdown()


def test_pairwise_quality_counts_pairs():
    truth = np.array([1, 1, 1, 2, 2, 3])
    assert pairwise_quality(truth, truth)["precision"] == 1.0
    merged = pairwise_quality(np.array([1, 1, 1, 1, 1, 3]), truth)  # 10 pairs said, 4 true
    assert merged["precision"] == 0.4 and merged["recall"] == 1.0
    split = pairwise_quality(np.array([1, 1, 4, 2, 5, 3]), truth)  # 1 pair said, of 4 true
    assert split["precision"] == 1.0 and split["recall"] == 0.25
