"""Kiosk POS cloud: Django REST Framework + Channels, multi-tenant PostgreSQL."""
