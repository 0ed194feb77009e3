"""Exceptions that carry a message meant for users (the CLI prints them as one line)."""


class WirefeedError(Exception):
    """An error whose message is already clear enough to show a user as is."""


class ConfigError(WirefeedError):
    """A bad setting or registry file (the message names the file and line)."""


class DatabaseUnavailable(WirefeedError):
    """The warehouse cannot be reached."""


class FetchError(WirefeedError):
    """A fetch that failed: refused by the guard, timed out, too large, HTTP error..."""


class ParseError(WirefeedError):
    """A document that is not a feed wirefeed can read."""
