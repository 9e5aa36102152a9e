"""Kitchen screen app."""
