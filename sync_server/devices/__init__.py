"""Paired devices: one-time pairing codes, device credentials and device authentication."""
