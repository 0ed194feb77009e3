"""Corpus tests: every reference feed, page and hostile file through parse and clean."""
