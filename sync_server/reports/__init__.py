"""Sales rollups kept by the ingest, and the report reads over them."""
