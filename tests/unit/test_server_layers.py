"""The server's imports go one way: views sit on services and selectors, never the reverse."""

from __future__ import annotations

import ast
from pathlib import Path

SERVER = Path(__file__).resolve().parents[2] / "sync_server"
VIEW_MODULES = {"apis", "urls", "views", "consumers", "routing", "admin"}
"""The HTTP and socket faces of an app: what requests reach, and nothing below imports."""
BELOW_VIEWS = (
    "models.py",
    "services.py",
    "selectors.py",
    "error_codes.py",
    "sync/batch.py",
    "sync/orders.py",
    "sync/events.py",
    "sync/results.py",
    "sync/feed.py",
    "sync/repricing.py",
    "kitchen/stations.py",
    "kitchen/sequences.py",
    "kitchen/tickets.py",
    "kitchen/actions.py",
)


def _imported(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _below_views() -> list[Path]:
    paths = sorted(
        path
        for pattern in BELOW_VIEWS
        for path in SERVER.glob(pattern if "/" in pattern else f"*/{pattern}")
    )
    assert len(paths) > 20, "the server's service modules were not found"
    return paths


def test_no_service_selector_or_model_imports_a_view() -> None:
    offenders = {
        str(path.relative_to(SERVER)): sorted(
            name
            for name in _imported(path)
            if name.startswith("sync_server.") and name.split(".")[-1] in VIEW_MODULES
        )
        for path in _below_views()
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def test_error_codes_are_leaves() -> None:
    """An app's error codes import nothing of the project: any module may name them."""
    for path in SERVER.glob("*/error_codes.py"):
        assert not {name for name in _imported(path) if name.startswith("sync_server")}, path
