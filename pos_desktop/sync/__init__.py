"""The sync engine: pushes the outbox, pulls the catalog, on its own thread with backoff."""
