"""The terminal's layers import one way: store <- services <- sync and till <- ui.

Parses every module of `pos_desktop` (no import runs) and lists each import a rule forbids;
the second test proves the checker reports a forbidden import in a small synthetic tree.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pos_desktop

QT = "PySide6"
FORBIDDEN: dict[str, tuple[str, ...]] = {
    # a layer of pos_desktop -> the layers (and Qt) it may not import
    "store": ("services", "sync", "till", "ui", "printing", "kitchen", "terminal", "cli", QT),
    "printing": ("services", "sync", "till", "ui", QT),
    "services": ("sync", "till", "ui", "kitchen", "terminal", "cli", QT),
    "sync": ("till", "ui", QT),
    "till": ("ui", QT),
}
QT_ALLOWED = (
    "pos_desktop.ui",
    "pos_desktop.kitchen.app",
    "pos_desktop.kitchen.ui",
    "pos_desktop.kitchen.screenshot",
    "pos_desktop.xcb_check",  # finds the Qt xcb plugin's file to check its libraries; no Qt runs
)


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path, module: str) -> set[str]:
    """Every module `path` imports, relative imports resolved against `module`."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def forbidden_imports(root: Path) -> list[str]:
    """`module imports name` for every import of `root/pos_desktop` a layer rule forbids."""
    offences: set[str] = set()
    for path in sorted((root / "pos_desktop").rglob("*.py")):
        module = _module_name(path, root)
        imported = _imports(path, module)
        banned = [
            name if name == QT else f"pos_desktop.{name}"
            for layer, names in FORBIDDEN.items()
            if _within(module, f"pos_desktop.{layer}")
            for name in names
        ]
        if not any(_within(module, allowed) for allowed in QT_ALLOWED):
            banned.append(QT)
        offences.update(
            f"{module} imports {name}"
            for name in imported
            if any(_within(name, prefix) for prefix in banned)
        )
    return sorted(offences)


def test_the_terminal_imports_only_down_its_layers() -> None:
    root = Path(pos_desktop.__file__).parent.parent
    assert len(list((root / "pos_desktop").rglob("*.py"))) > 50, "the package was not found"
    assert forbidden_imports(root) == []


def test_the_checker_reports_each_kind_of_forbidden_import(tmp_path: Path) -> None:
    sources = {
        "pos_desktop/__init__.py": "",
        "pos_desktop/store/__init__.py": "",
        "pos_desktop/store/outbox.py": "from pos_desktop.sync.engine import SyncEngine\n",
        "pos_desktop/services/__init__.py": "",
        "pos_desktop/services/checkout.py": "def f():\n    from ..sync import queue\n",
        "pos_desktop/services/cart.py": "import pos_desktop.ui.models\n",
        "pos_desktop/sync/engine.py": "from pos_desktop.services import catalog\n",
        "pos_desktop/till/cart_desk.py": "from PySide6.QtCore import QObject\n",
        "pos_desktop/printing/queue.py": "from pos_desktop.store.models import PrintJob\n",
        "pos_desktop/terminal.py": "import PySide6\n",
        "pos_desktop/ui/app.py": "from PySide6.QtWidgets import QApplication\n",
        "pos_desktop/kitchen/ui.py": "from PySide6.QtWidgets import QWidget\n",
    }
    for name, text in sources.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    assert forbidden_imports(tmp_path) == [
        "pos_desktop.services.cart imports pos_desktop.ui.models",
        "pos_desktop.services.checkout imports pos_desktop.sync",
        "pos_desktop.services.checkout imports pos_desktop.sync.queue",
        "pos_desktop.store.outbox imports pos_desktop.sync.engine",
        "pos_desktop.store.outbox imports pos_desktop.sync.engine.SyncEngine",
        "pos_desktop.terminal imports PySide6",
        "pos_desktop.till.cart_desk imports PySide6.QtCore",
        "pos_desktop.till.cart_desk imports PySide6.QtCore.QObject",
    ]
