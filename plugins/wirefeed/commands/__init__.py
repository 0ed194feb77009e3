"""Subcommands of the `wirefeed` CLI, one module each."""
