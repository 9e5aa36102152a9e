"""Customers and their loyalty points."""
