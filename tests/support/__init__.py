"""Test helpers shared across test folders (plain modules, importable without pytest)."""
