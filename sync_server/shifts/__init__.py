"""Cashier shifts as synced from terminals: float, cash in/out, close with counted cash."""
