"""The wirefeed benchmark: a generated corpus with known structure and `make bench` over it."""
