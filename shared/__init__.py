"""Kiosk POS shared core: money, tax, pricing and promotion engine, sync wire schemas."""
