"""The back office: owners' and managers' web pages on the sync server (Django templates, htmx)."""
