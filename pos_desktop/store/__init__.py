"""The terminal's local SQLite store: typed models, engine set-up, migrations, unit of work."""
