"""Promotions stored per tenant, validated by the shared pricing engine."""
