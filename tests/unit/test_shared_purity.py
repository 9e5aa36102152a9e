"""`shared` must stay pure: no Django, Qt or SQLAlchemy, no import of the apps."""

import ast
from pathlib import Path

import shared

FORBIDDEN_ROOTS = {
    "django",
    "rest_framework",
    "channels",
    "PySide6",
    "sqlalchemy",
    "alembic",
    "pos_desktop",
    "sync_server",
    "httpx",
    "escpos",
}


def _imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_shared_imports_no_framework_or_app() -> None:
    package_dir = Path(shared.__file__).parent
    sources = sorted(package_dir.rglob("*.py"))
    assert sources, "shared package has no sources"
    offenders = {
        str(path.relative_to(package_dir)): sorted(_imported_roots(path) & FORBIDDEN_ROOTS)
        for path in sources
        if _imported_roots(path) & FORBIDDEN_ROOTS
    }
    assert offenders == {}
