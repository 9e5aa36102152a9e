"""What both PyInstaller spec files share: data files, hidden imports, excluded modules.

Imported by `kiosk-pos.spec` and `kiosk-kitchen.spec` (PyInstaller runs them with the repo's
virtualenv); not part of the installed apps.
"""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

from PyInstaller.building.api import COLLECT, EXE, PYZ
from PyInstaller.building.build_main import Analysis
from PyInstaller.utils.hooks import collect_data_files, collect_submodules, copy_metadata

INSTALLERS = Path(__file__).resolve().parent
REPO = INSTALLERS.parent
PACKAGE_VERSION = version("kiosk-pos")

# Qt modules the apps never import (PySide6-Essentials ships them): kept out of the bundle.
QT_UNUSED = [
    f"PySide6.{name}"
    for name in (
        "QtNetwork",
        "QtOpenGL",
        "QtOpenGLWidgets",
        "QtQml",
        "QtQuick",
        "QtQuickWidgets",
        "QtQuickControls2",
        "QtSql",
        "QtTest",
        "QtXml",
        "QtDBus",
        "QtConcurrent",
        "QtHelp",
        "QtDesigner",
        "QtUiTools",
        "QtPdf",
        "QtPdfWidgets",
        "QtSvgWidgets",
        "QtPrintSupport",
        "QtMultimedia",
        "QtWebEngineCore",
        "QtWebEngineWidgets",
        "Qt3DCore",
        "QtCharts",
    )
]
# Server side, development and test tools that live in the same virtualenv.
NOT_DESKTOP = [
    "sync_server",
    "django",
    "rest_framework",
    "rest_framework_simplejwt",
    "drf_spectacular",
    "channels",
    "channels_redis",
    "daphne",
    "uvicorn",
    "psycopg",
    "psycopg_pool",
    "redis",
    "pytest",
    "pytestqt",
    "hypothesis",
    "mypy",
    "playwright",
    "schemathesis",
    "tkinter",
    "IPython",
    "matplotlib",
    "numpy",
    "PyInstaller",
]


def datas(*, till: bool) -> list[tuple[str, str]]:
    """Every file the app reads at run time besides its modules (`till`: the cashier app's)."""
    found = collect_data_files("pos_desktop")  # translations (.qm), images
    found += collect_data_files("shared")
    for distribution in ("kiosk-pos", "keyring", "keyrings.alt"):
        found += copy_metadata(distribution)  # versions and keyring's backend entry points
    if not till:
        return found
    migrations = REPO / "pos_desktop" / "store" / "migrations"
    found += [
        # Alembic runs the migration scripts from files, so they ship as source.
        (str(path), str(path.parent.relative_to(REPO)))
        for path in migrations.rglob("*")
        if path.is_file() and path.suffix in {".py", ".mako"} and "__pycache__" not in path.parts
    ]
    found += collect_data_files("escpos")  # capabilities.json: the printer profiles
    found += collect_data_files("babel")  # locale data for money and dates
    found += copy_metadata("python-escpos")
    return found


def hidden_imports(*, till: bool) -> list[str]:
    """Modules imported by name at run time, which PyInstaller cannot see."""
    found = [
        "keyrings.alt.file",  # the explicit opt-in: PYTHON_KEYRING_BACKEND names it
        *collect_submodules("keyring.backends"),
        "logging.config",
    ]
    if till:
        found += [
            "pos_desktop.printing.commands",  # kiosk-pos adds its printing subcommands by name
            *collect_submodules("alembic.ddl"),
            "alembic.runtime.migration",
        ]
    return found


def build(name: str, script: str, *, till: bool) -> None:
    """One-folder build of one app: `dist/<name>/<name>` plus its libraries and data."""
    analysis = Analysis(
        [str(INSTALLERS / "entry" / script)],
        pathex=[str(REPO)],
        datas=datas(till=till),
        hiddenimports=hidden_imports(till=till),
        excludes=[*QT_UNUSED, *NOT_DESKTOP],
        noarchive=False,
    )
    pyz = PYZ(analysis.pure)
    icon = INSTALLERS / "icons" / f"{name}.ico"
    exe = EXE(
        pyz,
        analysis.scripts,
        [],
        exclude_binaries=True,
        name=name,
        console=True,  # the same binary runs its command-line subcommands (pair, sync, ...)
        upx=False,
        icon=str(icon),
    )
    COLLECT(exe, analysis.binaries, analysis.datas, upx=False, name=name)
