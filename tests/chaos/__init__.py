"""Fault and kill tests of the terminal's sync against a real kiosk-server on loopback."""
