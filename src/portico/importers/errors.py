"""Errors raised when a file given to `portico serve` cannot be imported."""


class ImportFailed(Exception):
    """The file could not be imported; the message names the file and, where known, the line."""
