"""Alembic migrations of the terminal database (run at start-up)."""
