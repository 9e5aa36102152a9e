"""Kiosk POS cashier terminal and kitchen screen (PySide6, SQLite, offline first)."""
