"""The `code` values of this app's errors (docs/server.md lists them; a test compares)."""

from enum import StrEnum


class CatalogErrorCode(StrEnum):
    """Products, categories, modifiers and tax rates."""

    IN_USE = "in_use"
    OUT_OF_RANGE = "out_of_range"
