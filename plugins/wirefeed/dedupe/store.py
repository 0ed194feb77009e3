"""Incremental story clustering in PostgreSQL: fingerprints, the LSH key index, stories and their items."""
from __future__ import annotations

import binascii
import io
import logging
from collections import defaultdict
from contextlib import contextmanager
from itertools import chain

import numpy as np

from wirefeed import copy_text
from wirefeed.gcpause import paused_gc
from wirefeed.dedupe import stored
from wirefeed.dedupe.cluster import MAX_BUCKET, UnionFind
from wirefeed.dedupe.match import (Features, batch_index_keys, context_conflict, in_context, match,
                                   text_features)
from wirefeed.dedupe.recent import RecentFeatures
from wirefeed.dedupe.text import unique_sorted

# One clustering transaction at a time: two concurrent runs could each miss the other's new items.
_LOCK_KEY = 0x77666464
# The dateline's date and place only, as text: psycopg2 would parse the whole jsonb of every candidate.
# After the id and content hash, in_context()'s arguments in its order.
_CONTEXT_COLUMNS = "i.id, i.content_hash, i.published_at, i.dateline->>'date', i.dateline->>'place', i.agencies"
_TEXT_COLUMNS = "i.body_text, i.text, i.title"
_RECENT = RecentFeatures()
_NO_WORDS = Features(None, np.zeros(0, dtype=np.uint64))  # an indexed item's context alone, its words not read yet
log = logging.getLogger(__name__)


def _features(database, row) -> Features:
    """Features of an items row (_CONTEXT_COLUMNS, _TEXT_COLUMNS): unwrapped body_text, else the cleaned text."""
    item_id, content_hash, *context, body_text, text_, title = row
    body = body_text or text_
    words = _RECENT.of_body(body)
    if words is None:
        words = text_features(body)
        _RECENT.put_body(body, words)
    if words.fingerprint is None and title:  # too short to tell on its own: with the headline, as text_features does
        words = text_features(body, title)
    _RECENT.put(database, item_id, content_hash, words)
    return in_context(words, *context)


def _contexts(cur, item_ids: list[int]) -> dict[int, tuple[str, tuple]]:
    """Content hash and context (in_context()'s arguments after the words) of the indexed items still there."""
    with _probing(cur):
        cur.execute(f"SELECT {_CONTEXT_COLUMNS} FROM items i WHERE i.id = ANY(%s)", (_array(item_ids),))
        return {item_id: (content_hash, tuple(context)) for item_id, content_hash, *context in cur.fetchall()}


def _known_features(cur, database, versions: dict[int, tuple[str, tuple]]) -> dict[int, Features]:
    """Features of indexed items given their _contexts(): the words from memory, else as stored, else from the text."""
    feats, missing = {}, []
    for item_id, (content_hash, context) in versions.items():
        words = _RECENT.get(database, item_id, content_hash)
        if words is None:
            missing.append(item_id)
        else:
            feats[item_id] = in_context(words, *context)
    if missing:
        missing = _stored_features(cur, database, missing, versions, feats)
    if missing:
        with _probing(cur):
            cur.execute(f"SELECT {_CONTEXT_COLUMNS}, {_TEXT_COLUMNS} FROM items i WHERE i.id = ANY(%s)",
                        (_array(missing),))
            rows = cur.fetchall()
        feats.update((row[0], _features(database, row)) for row in rows)
    return feats


def _stored_features(cur, database, item_ids: list[int], versions: dict[int, tuple[str, tuple]],
                     feats: dict[int, Features]) -> list[int]:
    """Add to feats the items whose text features were stored for their current version; return the others."""
    with _probing(cur):
        cur.execute("""SELECT item_id, content_hash, fingerprint, text_features FROM item_fingerprints
                        WHERE item_id = ANY(%s) AND text_features IS NOT NULL""", (_array(item_ids),))
        rows = cur.fetchall()
    for item_id, content_hash, fingerprint, blob in rows:
        current, context = versions[item_id]
        if content_hash != current:  # an item edited since was fingerprinted from other words
            continue
        words = stored.decode(blob, fingerprint)
        if words is not None:
            _RECENT.put(database, item_id, content_hash, words)
            feats[item_id] = in_context(words, *context)
    return [item_id for item_id in item_ids if item_id not in feats]


def lookup(cur, keys: list[int]) -> list[tuple[int, int]]:
    """(key, item_id) of the latest MAX_BUCKET indexed items under each of the keys."""
    if not keys:
        return []
    with _probing(cur):
        cur.execute("""SELECT k.key, b.item_id FROM unnest(%s::bigint[]) AS k (key)
                       CROSS JOIN LATERAL (SELECT item_id FROM item_bands WHERE item_bands.key = k.key
                                           ORDER BY item_id DESC LIMIT %s) b""",
                    (_array(sorted(keys)), MAX_BUCKET))  # as one literal: adapting 36 ints an item costs more
        return cur.fetchall()


@contextmanager
def _probing(cur):
    """Plans that probe the indexes row by row for the statements inside, so their cost stays flat as tables grow."""
    # Thousands of keys or ids make the planner guess a scan of the whole table (and a hash join) cheaper; at
    # 50,000 items that scan was most of a batch's time, and it grows with the table.
    cur.execute("""SELECT set_config('enable_seqscan', 'off', true), set_config('enable_bitmapscan', 'off', true),
                          set_config('enable_hashjoin', 'off', true), set_config('enable_mergejoin', 'off', true),
                          set_config('jit', 'off', true)""")
    yield
    # Not in a finally: after an error the transaction is aborted (a dead connection cannot even take a RESET,
    # which would hide the real error), and the settings, being local, end with it.
    # jit stays off to the end of the transaction: compiling costs more than any of these short statements.
    cur.execute("RESET enable_seqscan; RESET enable_bitmapscan; RESET enable_hashjoin; RESET enable_mergejoin")


def add(cur, rows: list[tuple[int, int]]) -> None:
    """Index new (key, item_id) rows with COPY (three times faster than INSERT at 36 keys an item).

    The caller has removed the items' old keys first, so no row can already be there.
    """
    if rows:
        cur.copy_expert("COPY item_bands (key, item_id) FROM STDIN",
                        io.StringIO("".join(f"{key}\t{item}\n" for key, item in rows)))


def _copy(cur, table: str, data: bytes) -> None:
    """COPY rows already written in COPY's text format into a table."""
    if data:
        cur.copy_expert(f"COPY {table} FROM STDIN", io.BytesIO(data))


def _story_rows(ids: list[int], placed: dict, versions: dict) -> bytes:
    """The story_items rows of the items in COPY's text format."""
    # The match kinds are plain words and a float's format() is its str(): nothing to escape.
    return "".join([f"{i}\t{story}\t{kind}\t{copy_text.NULL if score is None else score}\t{versions[i][1]}\n"
                    for i in ids for story, kind, score in (placed[i],)]).encode("utf-8")


def _fingerprint_rows(ids: list[int], new: dict[int, Features], versions: dict, keys_of: dict) -> bytes:
    """The item_fingerprints rows of the items in COPY's text format, the text features as hex bytea."""
    parts = []
    for i in ids:
        content_hash, size = versions[i]
        keys = _array(keys_of[i].tolist()) if i in keys_of else "{}"
        # The features as bytea in hex (its backslash escaped for COPY), hexlified straight to bytes: as one str
        # field, the ~5 KB of hex a row was copied and scanned again by every escape, join and encode.
        parts += (f"{i}\t{copy_text.text(content_hash)}\t{size}\t{copy_text.text(new[i].fingerprint)}\t{keys}\t\\\\x"
                  .encode("utf-8"), binascii.hexlify(stored.encode(new[i])), b"\n")
    return b"".join(parts)


def _array(values: list[int]) -> str:
    """A PostgreSQL array literal of integers."""
    # printf-style: "%d" writes each number into the result, half the time of a str() object per number.
    return "{" + ("%d," * len(values) % tuple(values))[:-1] + "}"


def _pending(cur, database, item_ids: list[int]) -> tuple[dict[int, Features], dict[int, tuple[str, int]]]:
    """Features, content hash and text size of the given items not yet fingerprinted in their current version."""
    with _probing(cur):
        cur.execute(f"""SELECT {_CONTEXT_COLUMNS}, {_TEXT_COLUMNS} FROM items i
                        LEFT JOIN item_fingerprints f ON f.item_id = i.id
                        WHERE i.id = ANY(%s) AND f.content_hash IS DISTINCT FROM i.content_hash""", (_array(item_ids),))
        rows = cur.fetchall()
    # The size is PostgreSQL's length(body_text) + length(text): characters, as len() counts them.
    feats = {row[0]: _features(database, row) for row in rows}
    return feats, {row[0]: (row[1], len(row[-3]) + len(row[-2])) for row in rows}


def _index_keys(new: dict[int, Features]) -> dict[int, np.ndarray]:
    """Each new item's distinct LSH keys, sorted (items too short to tell have none)."""
    keyed = {item_id: f for item_id, f in new.items() if f.fingerprint is not None}
    return dict(zip(keyed, batch_index_keys(list(keyed.values()))))


def _fingerprint_buckets(cur, new: dict[int, Features]) -> dict[str, set[int]]:
    """Buckets (fingerprint -> item ids) of the new items and the latest indexed items with the same fingerprint."""
    buckets = defaultdict(set)
    for item_id, feat in new.items():
        if feat.fingerprint is not None:
            buckets[feat.fingerprint].add(item_id)
    fingerprints = list(buckets)
    if fingerprints:
        cur.execute("""SELECT fp, f.item_id FROM unnest(%s::text[]) AS x (fp)
                       CROSS JOIN LATERAL (SELECT item_id FROM item_fingerprints WHERE fingerprint = x.fp
                                           ORDER BY item_id DESC LIMIT %s) f""", (fingerprints, MAX_BUCKET))
        for fingerprint, item_id in cur.fetchall():
            buckets[fingerprint].add(item_id)
    return buckets


def _fingerprint_pairs(cur, new: dict[int, Features]) -> list[tuple[int, int]]:
    """The pairs to verify, each with a new item, of the items sharing a fingerprint (_fingerprint_buckets)."""
    buckets = _fingerprint_buckets(cur, new)
    sizes = [len(members) for members in buckets.values()]
    labels = np.repeat(np.arange(len(buckets), dtype=np.int64), sizes)
    members = np.fromiter(chain.from_iterable(buckets.values()), dtype=np.int64, count=sum(sizes))
    return _pairs_with_new(labels, members, new)


def _key_pairs(cur, keys_of: dict[int, np.ndarray], new: dict[int, Features]) -> list[tuple[int, int]]:
    """The pairs to verify, each with a new item, of the given new items and the indexed ones sharing an LSH key."""
    if not keys_of:
        return []
    keys = np.concatenate(list(keys_of.values()))
    owners = np.repeat(np.fromiter(keys_of, dtype=np.int64, count=len(keys_of)),
                       np.fromiter(map(len, keys_of.values()), dtype=np.int64, count=len(keys_of)))
    found = lookup(cur, unique_sorted(keys).tolist())
    if found:
        # fromiter over the flattened rows: half the time of np.array() reading a list of tuples
        indexed = np.fromiter(chain.from_iterable(found), dtype=np.int64, count=2 * len(found)).reshape(-1, 2)
        keys, owners = np.concatenate((keys, indexed[:, 0])), np.concatenate((owners, indexed[:, 1]))
    return _pairs_with_new(keys, owners, new)


def _copies(new: dict[int, Features], edges: dict) -> set[int]:
    """The new items verified as exact copies of an indexed item or of an earlier new one."""
    found = set()
    for (a, b), (kind, _) in edges.items():
        if kind == "exact":  # a < b: b copies a when b is new; else a is the new one, copying indexed b
            found.add(b if b in new else a)
    return found


def _verified_edges(cur, database, new: dict[int, Features], feats: dict[int, Features],
                    candidates: list[tuple[int, int]], checked: set) -> dict[tuple[int, int], tuple[str, float]]:
    """Verified pairs among the candidates (each involving a new item; pairs of indexed items were settled before).

    feats holds the features met so far (indexed ones are added as needed); pairs in `checked` are skipped,
    and the pairs checked here are added to it.
    """
    pairs = [pair for pair in candidates if pair not in checked]
    checked.update(pairs)
    unknown = sorted({i for pair in pairs for i in pair if i not in feats})
    if unknown:
        versions = _contexts(cur, unknown)
        # Times or datelines apart rule a pair out whatever its words (match() would find the conflict): the
        # indexed items of the pairs left are the only ones whose words are read (100k bench items: 124,756 -> 79,188).
        timing = {item_id: in_context(_NO_WORDS, *context) for item_id, (_, context) in versions.items()}
        pairs = [(a, b) for a, b in pairs if (a in feats or a in timing) and (b in feats or b in timing)
                 and not context_conflict(feats.get(a) or timing[a], feats.get(b) or timing[b])]
        wanted = {i for pair in pairs for i in pair if i not in feats}
        feats.update(_known_features(cur, database, {i: versions[i] for i in sorted(wanted)}))
    edges = {}
    for a, b in pairs:
        if a in feats and b in feats:  # an indexed item deleted since leaves stale keys behind
            found = match(feats[a], feats[b])
            if found:
                edges[(a, b)] = found
    return edges


def _pairs_with_new(labels: np.ndarray, members: np.ndarray, new) -> list[tuple[int, int]]:
    """bucket_pairs() of every bucket (the members under one label) that involve a new item, each pair once, sorted.

    In numpy, on (label, member) rows: copies of one story share most of their keys, so a batch's buckets make tens
    of thousands of pairs, most of them repeated across buckets, and most keys are one item's alone.
    """
    order = np.lexsort((members, labels))
    labels, members = labels[order], members[order]
    # A bucket is a set: a member listed twice under one label counts once.
    distinct = np.ones(len(labels), dtype=bool)
    distinct[1:] = (labels[1:] != labels[:-1]) | (members[1:] != members[:-1])
    labels, members = labels[distinct], members[distinct]
    # Only buckets of two or more make pairs.
    shared = labels[1:] == labels[:-1]
    paired = np.zeros(len(labels), dtype=bool)
    paired[1:] |= shared
    paired[:-1] |= shared
    labels, members = labels[paired], members[paired]
    is_new = np.isin(members, np.fromiter(new, dtype=np.int64, count=len(new)))
    earlier, later = [], []
    for gap in range(1, MAX_BUCKET + 1):  # each member with the one gap places before it in its bucket
        same = labels[gap:] == labels[:-gap]
        if not same.any():
            break  # no bucket has more than `gap` members
        keep = same & (is_new[gap:] | is_new[:-gap])
        earlier.append(members[:-gap][keep])
        later.append(members[gap:][keep])
    if not earlier:
        return []
    first, second = np.concatenate(earlier), np.concatenate(later)
    order = np.lexsort((second, first))
    first, second = first[order], second[order]
    distinct = np.ones(len(first), dtype=bool)
    distinct[1:] = (first[1:] != first[:-1]) | (second[1:] != second[:-1])
    return list(zip(first[distinct].tolist(), second[distinct].tolist()))


def _place(cur, new: dict[int, Features], edges: dict) -> tuple[dict[int, tuple[int, str, float | None]], set, dict]:
    """Story of every new item as {item: (story, match, score)}, the stories touched, and counts."""
    sets = UnionFind()
    for item_id in new:
        sets.find(item_id)
    best = {}
    for (a, b), (kind, score) in edges.items():
        sets.union(a, b)
        for item_id in (a, b):
            rank = (kind == "exact", score)
            if item_id in new and rank > best.get(item_id, (False, -1.0)):
                best[item_id] = rank
    with _probing(cur):
        cur.execute("SELECT item_id, story_id FROM story_items WHERE item_id = ANY(%s)", (_array(list(sets.parent)),))
        story_of = dict(cur.fetchall())
    for item_id, story in story_of.items():
        # Items already in one story stay together: the story joins their set as node -story.
        sets.union(item_id, -story)
    members = defaultdict(list)
    for item_id in list(sets.parent):
        if item_id > 0:
            members[sets.find(item_id)].append(item_id)
    groups = [(group, sorted({story_of[i] for i in group if i in story_of})) for group in members.values()]
    starting = sum(1 for _, stories in groups if not stories)
    cur.execute("INSERT INTO stories (item_count) SELECT 0 FROM generate_series(1, %s) RETURNING id", (starting,))
    fresh = iter(sorted(row[0] for row in cur.fetchall()))
    placed, touched = {}, set()
    counts = {"new_stories": starting, "joined": 0, "exact_duplicates": 0}
    for group, stories in groups:
        started = None
        if stories:
            story, absorbed = stories[0], stories[1:]
            if absorbed:  # this item bridges stories told apart so far: one story, whatever the arrival order
                cur.execute("UPDATE story_items SET story_id = %s WHERE story_id = ANY(%s)", (story, absorbed))
                cur.execute("DELETE FROM stories WHERE id = ANY(%s)", (absorbed,))
        else:
            story, started = next(fresh), min(group)
        touched.add(story)
        for item_id in group:
            if item_id not in new:
                continue
            exact, score = (False, None) if item_id == started else best.get(item_id, (False, None))
            kind = "exact" if exact else ("near" if score is not None else "first")
            placed[item_id] = (story, kind, score)
            counts["exact_duplicates"] += exact
            counts["joined"] += item_id != started and item_id not in story_of
    return placed, touched, counts


def _refresh(cur, story_ids: list[int]) -> None:
    """Recompute each story's canonical copy, agencies, dateline, times, outlets and item count."""
    cur.execute("""
        WITH m AS (
            SELECT si.story_id, i.id, i.title, i.agencies, i.dateline, i.first_seen_at,
                   COALESCE(i.published_at, i.first_seen_at) AS published,
                   COALESCE(NULLIF(f.outlet, ''), f.name) AS outlet,
                   -- the agency's own copy: its feed is the agency credited
                   (upper(COALESCE(f.outlet, '')) = ANY(i.agencies) OR upper(f.name) = ANY(i.agencies)) AS own,
                   i.syndicated, i.word_count,
                   -- the size recorded when the item was placed, else with its current fingerprint (a scalar
                   -- subquery in COALESCE runs only when reached); measuring decompresses both texts
                   COALESCE(si.text_size,
                            (SELECT fp.text_size FROM item_fingerprints fp
                              WHERE fp.item_id = i.id AND fp.content_hash = i.content_hash),
                            length(i.body_text) + length(i.text)) AS size
              -- Row by row through the primary keys (OFFSET 0 keeps the planner from turning these into
              -- hash joins over whole tables, whose cost grows with them).
              FROM story_items si
                   CROSS JOIN LATERAL (SELECT * FROM items WHERE items.id = si.item_id OFFSET 0) i
                   CROSS JOIN LATERAL (SELECT outlet, name FROM feeds WHERE feeds.id = i.feed_id OFFSET 0) f
             WHERE si.story_id = ANY(%(ids)s)
        ), ranked AS (
            SELECT m.*, row_number() OVER (PARTITION BY story_id
                        ORDER BY published, own DESC, syndicated, word_count DESC, size DESC, id) AS rank
              FROM m
        ), totals AS (
            SELECT story_id, count(*) AS items, min(published) AS first_published,
                   min(first_seen_at) AS first_seen,
                   array_agg(DISTINCT outlet ORDER BY outlet) FILTER (WHERE outlet IS NOT NULL) AS outlets,
                   (array_agg(dateline ORDER BY rank) FILTER (WHERE dateline IS NOT NULL))[1] AS dateline
              FROM ranked GROUP BY story_id
        ), credits AS (
            SELECT story_id, array_agg(DISTINCT agency ORDER BY agency) AS agencies
              FROM m, unnest(m.agencies) AS agency GROUP BY story_id
        )
        UPDATE stories s SET
            canonical_item_id = c.id, title = c.title, agencies = COALESCE(credits.agencies, '{}'),
            dateline = t.dateline, first_published_at = t.first_published, first_seen_at = t.first_seen,
            outlets = COALESCE(t.outlets, '{}'), item_count = t.items, updated_at = now()
          FROM ranked c JOIN totals t USING (story_id) LEFT JOIN credits USING (story_id)
         WHERE c.story_id = s.id AND c.rank = 1""", {"ids": story_ids})


def assign_stories(conn, item_ids: list[int]) -> dict:
    """Fingerprint and index the items, join them to their stories or start new ones, and commit."""
    with paused_gc():
        return _assign_stories(conn, item_ids)


def _assign_stories(conn, item_ids: list[int]) -> dict:
    """The work of assign_stories(), which holds the collector off around it."""
    counts = {"items": 0, "new_stories": 0, "joined": 0, "exact_duplicates": 0}
    with conn.cursor() as cur:
        # The database's identity keys the features kept in memory (a database dropped and made again is another).
        # No JIT in this transaction: compiling took 40 ms of a 60 ms story refresh, and no statement here runs
        # long enough to repay it.
        cur.execute("""SELECT pg_advisory_xact_lock(%s), set_config('jit', 'off', true),
                              (SELECT oid FROM pg_database WHERE datname = current_database())""", (_LOCK_KEY,))
        database = (conn.info.host, conn.info.port, cur.fetchone()[2])
        # The key index is unlogged (migration 0013): after a crash it is empty until indexed again from the keys.
        cur.execute("SELECT restore_item_bands()")
        restored = cur.fetchone()[0]
        if restored:
            log.warning("the story key index was lost (a crash empties it): %d keys indexed again", restored)
        new, versions = _pending(cur, database, sorted(set(item_ids)))
        if not new:
            conn.commit()
            return counts
        ids = sorted(new)
        # An edited item is indexed afresh: its old keys would find copies of what it no longer says.
        with _probing(cur):
            cur.execute("""DELETE FROM item_bands b USING item_fingerprints f, unnest(f.keys) AS old (key)
                           WHERE f.item_id = ANY(%s) AND b.key = old.key AND b.item_id = f.item_id""", (_array(ids),))
        keys_of = _index_keys(new)
        feats, checked = dict(new), set()
        edges = _verified_edges(cur, database, new, feats, _fingerprint_pairs(cur, new), checked)
        # An exact copy of an item met already joins that item's story without a search of its own: its keys are
        # that item's, whose candidates were linked when it was clustered (22% of the items of the 100k bench).
        copies = _copies(new, edges)
        searching = {item_id: keys for item_id, keys in keys_of.items() if item_id not in copies}
        edges.update(_verified_edges(cur, database, new, feats, _key_pairs(cur, searching, new), checked))
        placed, touched, placed_counts = _place(cur, new, edges)
        # Rows of these items are replaced whole (as an upsert would): delete them, then COPY, which costs a
        # fraction of INSERT ... VALUES at thousands of rows.
        with _probing(cur):
            cur.execute("""DELETE FROM story_items WHERE item_id = ANY(%(ids)s);
                           DELETE FROM item_fingerprints WHERE item_id = ANY(%(ids)s)""", {"ids": _array(ids)})
            _copy(cur, "story_items (item_id, story_id, match, score, text_size)", _story_rows(ids, placed, versions))
            # The text features go with the fingerprint, so a later run reads them instead of featurising again.
            _copy(cur, "item_fingerprints (item_id, content_hash, text_size, fingerprint, keys, text_features)",
                  _fingerprint_rows(ids, new, versions, keys_of))
            # The index rows are the keys just stored: unnested in the server rather than sent a second time,
            # and in key order, so the B-tree takes them leaf after leaf instead of at random.
            cur.execute("""INSERT INTO item_bands (key, item_id)
                           SELECT k.key, f.item_id FROM item_fingerprints f, unnest(f.keys) AS k (key)
                            WHERE f.item_id = ANY(%s) ORDER BY k.key""", (_array(ids),))
        _refresh(cur, sorted(touched))
    conn.commit()
    counts["items"] = len(new)
    counts.update(placed_counts)
    return counts
