"""Models of the foundation app: only the SQLite version counter lives here."""

from sync_server.common.tenancy import VersionCounter

__all__ = ["VersionCounter"]
