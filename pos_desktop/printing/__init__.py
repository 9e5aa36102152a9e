"""Receipts, kitchen tickets and X/Z reports: documents, ESC/POS and preview renderers, queue."""
