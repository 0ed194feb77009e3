"""In-memory story clustering: LSH candidates, exact verification, connected components."""
from __future__ import annotations

from collections import defaultdict

from wirefeed.dedupe.match import Features, article_features, match
from wirefeed.models import Article

# Each item is compared with at most this many of the latest items sharing one key. A wire story copied by
# hundreds of outlets still joins (any verified copy links it), while boilerplate an outlet appends to every
# item ("Follow us on ...") costs a bounded number of checks per item instead of one per item ever seen.
MAX_BUCKET = 20


class UnionFind:
    """Disjoint sets over hashable members; the smallest member names its set (order-independent)."""

    def __init__(self):
        self.parent = {}

    def find(self, x):
        """The representative of x's set."""
        self.parent.setdefault(x, x)
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a, b) -> None:
        """Merge the sets of a and b."""
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            lo, hi = sorted((ra, rb))
            self.parent[hi] = lo


def candidate_pairs(feats: list[Features]) -> set[tuple[int, int]]:
    """Index pairs sharing an exact fingerprint or an LSH band: the only pairs worth verifying."""
    buckets = defaultdict(list)
    for i, f in enumerate(feats):
        if f.fingerprint is None:
            continue
        buckets[f.fingerprint].append(i)
        for key in f.band_keys.tolist():
            buckets[key].append(i)
    pairs = set()
    for members in buckets.values():
        pairs.update(bucket_pairs(members))
    return pairs


def bucket_pairs(members) -> list[tuple]:
    """Pairs of one bucket worth verifying: each member with the MAX_BUCKET members just before it."""
    members = sorted(members)
    return [(earlier, item) for at, item in enumerate(members) for earlier in members[max(0, at - MAX_BUCKET):at]]


def link(feats: list[Features]) -> dict[tuple[int, int], tuple[str, float]]:
    """Every verified pair (i < j) with how it matched."""
    edges = {}
    for i, j in sorted(candidate_pairs(feats)):
        found = match(feats[i], feats[j])
        if found:
            edges[(i, j)] = found
    return edges


def components(n: int, edges) -> list[list[int]]:
    """Connected components of 0..n-1 under the edges, each sorted, ordered by first member."""
    sets = UnionFind()
    for i in range(n):
        sets.find(i)
    for i, j in edges:
        sets.union(i, j)
    groups = defaultdict(list)
    for i in range(n):
        groups[sets.find(i)].append(i)
    return sorted(groups.values())


def group_documents(articles: list[Article]) -> list[list[int]]:
    """Group articles that are copies of one story; indexes into the input, each in exactly one group."""
    feats = [article_features(a) for a in articles]
    return components(len(feats), link(feats))
