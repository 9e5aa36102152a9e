"""Synced orders (lines, payments, refunds, flags), stock per outlet, and the orders read API."""
