"""`kiosk-pos --self-check`: can this install sell? A short report for a reseller, exit 0 or 1.

Run after installing or updating a bundle, on the till itself: it opens (or creates) the data
folder and its database, runs the migrations, reads the catalog and the outbox, draws the main
screen offscreen, asks the keyring for the device credentials and renders a test slip with the
printer settings. It never sends anything (no sync, no printing), so it is safe on a live till.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from pos_desktop.ui.checks import (
    Check,
    data_folder_check,
    finish,
    guarded,
    keyring_check,
    offscreen,
    render_offscreen,
)


def schema_revision(database_file: Path) -> str | None:
    """The Alembic revision of an existing database file, read before anything migrates it."""
    if not database_file.exists():
        return None
    with sqlite3.connect(database_file) as connection:
        try:
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.OperationalError:
            return None
    return str(row[0]) if row else None


def pos_self_check(data_dir: Path) -> int:
    """The cashier app's self-check (see the module docstring)."""
    offscreen()
    checks = [data_folder_check(data_dir)]
    if not checks[0].ok:
        return finish("kiosk-pos", checks)
    from pos_desktop.store.db import DB_FILENAME, MIGRATIONS_DIR, Database

    database_file = data_dir / DB_FILENAME
    before = schema_revision(database_file)

    def database_probe() -> str:
        database = Database(data_dir)
        try:
            after = schema_revision(database_file)
            with database.engine.connect() as connection:
                integrity = connection.exec_driver_sql("PRAGMA integrity_check").scalar()
        finally:
            database.dispose()
        head = _head_revision(MIGRATIONS_DIR)
        if after != head:
            raise RuntimeError(f"schema at {after}, this build expects {head}")
        if integrity != "ok":
            raise RuntimeError(f"integrity check: {integrity}")
        moved = "new database" if before is None else f"from {before}"
        return f"schema {after} ({moved}), integrity ok"

    checks.append(guarded("database", database_probe))
    if not checks[-1].ok:
        return finish("kiosk-pos", checks)

    from pos_desktop.till.facade import TerminalTill

    till = TerminalTill.open(data_dir, start_sync=False, start_printing=False)
    try:
        checks.append(guarded("catalog", lambda: _catalog(till)))
        checks.append(guarded("outbox", lambda: _outbox(till)))
        checks.append(_translations())
        checks.append(render_offscreen("main screen", lambda: _main_window(till)))
        identity = till.terminal.identity()
        checks.append(
            keyring_check(
                paired=identity is not None and identity.paired,  # the demo café has none
                has_credentials=lambda: till.terminal.credentials.refresh_token() is not None,
            )
        )
        checks.append(guarded("printer", lambda: _printer(till)))
    finally:
        till.close()
    return finish("kiosk-pos", checks)


def _head_revision(migrations_dir: Path) -> str:
    """The newest Alembic revision shipped with this build."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    return str(ScriptDirectory.from_config(config).get_current_head())


def _catalog(till: object) -> str:
    from pos_desktop.till.facade import TerminalTill

    assert isinstance(till, TerminalTill)
    if not till.is_paired():
        return "none yet: pair this till and it syncs its catalog"
    products, categories = len(till.products()), len(till.categories())
    return f"{products} products in {categories} categories of {till.tenant().name}"


def _outbox(till: object) -> str:
    from pos_desktop.till.facade import TerminalTill

    assert isinstance(till, TerminalTill)
    status = till.sync_status()
    return f"{status.pending} sales waiting to sync, {len(status.attention)} need a manager"


def _translations() -> Check:
    """The shipped .qm files load (a bundle missing its data files fails here)."""

    def probe() -> str:
        from PySide6.QtCore import QTranslator

        from pos_desktop.ui.i18n import TRANSLATIONS_DIR

        shipped = sorted(TRANSLATIONS_DIR.glob("*.qm"))
        if not shipped:
            raise FileNotFoundError(f"no translations in {TRANSLATIONS_DIR}")
        for path in shipped:
            if not QTranslator().load(str(path)):
                raise RuntimeError(f"{path.name} does not load")
        return ", ".join(path.name for path in shipped)

    return guarded("translations", probe)


def _main_window(till: object) -> object:
    from pos_desktop.till.facade import TerminalTill
    from pos_desktop.ui.app import application, build_window

    assert isinstance(till, TerminalTill)
    application()
    return build_window(till)


def _printer(till: object) -> str:
    from pos_desktop.printing.connection import parse_printer_url
    from pos_desktop.printing.document import test_page_document
    from pos_desktop.printing.paper import paper_for_width
    from pos_desktop.printing.render_escpos import render_escpos
    from pos_desktop.till.facade import TerminalTill

    assert isinstance(till, TerminalTill)
    settings = till.settings()
    targets = [settings.printer, *(url for _station, url in settings.kitchen_printers)]
    for url in targets:
        if url:
            parse_printer_url(url)
    paper = paper_for_width(
        58 if settings.receipt_width <= 32 else 80, code_page=settings.code_page
    )
    slip = render_escpos(test_page_document(settings.printer, paper.columns), paper)
    return (
        f"receipt printer {settings.printer or 'none'}, {paper.width_mm} mm, {settings.code_page};"
        f" test slip rendered ({len(slip)} bytes, not printed)"
    )
