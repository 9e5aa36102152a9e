"""The sync protocol on the server: idempotent order and event ingest, the catalog change feed."""
