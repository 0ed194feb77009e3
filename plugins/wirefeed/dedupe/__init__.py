"""Deduplication: item aliases and versions (SQL), exact fingerprints, MinHash/LSH story clusters."""
from wirefeed.dedupe.cluster import group_documents

__all__ = ["group_documents"]
