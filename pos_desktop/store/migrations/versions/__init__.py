"""Alembic revisions of the terminal database."""
