"""The one error hierarchy. Third-party errors are wrapped with ``raise ... from exc``."""

from __future__ import annotations


class ImagesweepError(Exception):
    """Root of every error imagesweep raises on purpose."""


class ConfigError(ImagesweepError):
    """Bad user input: inventory, catalogue, fleet file, arguments. CLI exit status 2."""


class ParseError(ImagesweepError):
    """Device output that a parser does not understand. Never guessed around."""
