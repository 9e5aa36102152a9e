"""The demo's check of Qt's X11 libraries: a missing one is named with its package and the
apt line; root gets it installed; offscreen is never checked."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from pos_desktop import demo
from pos_desktop.cli import main as kiosk_pos
from pos_desktop.xcb_check import ensure_xcb_libraries, missing_libraries, package_of

LDD_TWO_MISSING = """\
\tlinux-vdso.so.1 (0x00007ffd)
\tlibQt6XcbQpa.so.6 => /venv/PySide6/Qt/lib/libQt6XcbQpa.so.6 (0x00007f20)
\tlibxcb-cursor.so.0 => /lib/x86_64-linux-gnu/libxcb-cursor.so.0 (0x00007f20)
\tlibxcb-icccm.so.4 => not found
\tlibxcb-keysyms.so.1 => not found
\tlibxkbcommon-x11.so.0 => not found
\tlibxcb-icccm.so.4 => not found
"""
X11 = {"DISPLAY": ":0"}
linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11 is Linux's")


def test_ldd_lines_name_each_missing_library_once() -> None:
    assert missing_libraries(LDD_TWO_MISSING) == [
        "libxcb-icccm.so.4",
        "libxcb-keysyms.so.1",
        "libxkbcommon-x11.so.0",
    ]


@pytest.mark.parametrize(
    ("library", "package"),
    [
        ("libxcb-cursor.so.0", "libxcb-cursor0"),
        ("libxcb-icccm.so.4", "libxcb-icccm4"),
        ("libxcb-keysyms.so.1", "libxcb-keysyms1"),
        ("libxcb-render-util.so.0", "libxcb-render-util0"),
        ("libxkbcommon-x11.so.0", "libxkbcommon-x11-0"),
        ("libpng16.so.16", "libpng16-16"),
        ("libdbus-1.so.3", "libdbus-1-3"),
    ],
)
def test_a_library_maps_to_its_debian_package(library: str, package: str) -> None:
    assert package_of(library) == package


@linux_only
def test_a_user_is_told_the_missing_library_and_the_one_apt_line() -> None:
    said = io.StringIO()
    installs: list[list[str]] = []
    ok = ensure_xcb_libraries(
        environ=X11,
        ldd=lambda: LDD_TWO_MISSING,
        is_root=False,
        has_apt=True,
        install=lambda packages: installs.append(packages) or 0,
        out=said,
    )
    assert ok is False and installs == []
    text = said.getvalue()
    assert "libxcb-icccm.so.4 (libxcb-icccm4)" in text
    apt_lines = [line.strip() for line in text.splitlines() if "apt-get install" in line]
    assert apt_lines == ["sudo apt-get install libxcb-icccm4 libxcb-keysyms1 libxkbcommon-x11-0"]


@linux_only
def test_root_gets_them_installed_and_the_windows_start() -> None:
    answers = iter([LDD_TWO_MISSING, "\tlibxcb-icccm.so.4 => /lib/libxcb-icccm.so.4\n"])
    installs: list[list[str]] = []
    ok = ensure_xcb_libraries(
        environ=X11,
        ldd=lambda: next(answers),
        is_root=True,
        has_apt=True,
        install=lambda packages: installs.append(packages) or 0,
        out=io.StringIO(),
    )
    assert ok is True
    assert installs == [["libxcb-icccm4", "libxcb-keysyms1", "libxkbcommon-x11-0"]]


def test_offscreen_and_a_complete_system_are_not_bothered() -> None:
    def never() -> str:
        raise AssertionError("offscreen needs no X11 libraries")

    assert ensure_xcb_libraries(environ={"QT_QPA_PLATFORM": "offscreen", **X11}, ldd=never)
    assert ensure_xcb_libraries(environ=X11, ldd=lambda: "\tlibxcb.so.1 => /lib/libxcb.so.1\n")


@linux_only
def test_the_demo_stops_before_starting_anything_and_says_what_to_run(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.setattr("pos_desktop.xcb_check.ldd_of_xcb_plugin", lambda: LDD_TWO_MISSING)
    monkeypatch.setattr("pos_desktop.xcb_check.os.geteuid", lambda: 1000)
    monkeypatch.setattr("pos_desktop.xcb_check.shutil.which", lambda _name: "/usr/bin/apt-get")

    def no_server(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the server must not start without the libraries")

    monkeypatch.setattr(demo.subprocess, "Popen", no_server)
    assert demo.main(["--data-dir", "unused"]) == demo.EXIT_MISSING_LIBRARIES
    err = capsys.readouterr().err
    assert "libxcb-keysyms.so.1 (libxcb-keysyms1)" in err
    assert "sudo apt-get install libxcb-icccm4 libxcb-keysyms1 libxkbcommon-x11-0" in err


@linux_only
def test_the_cashier_app_names_the_packages_and_does_not_start(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.setattr("pos_desktop.xcb_check.ldd_of_xcb_plugin", lambda: LDD_TWO_MISSING)
    monkeypatch.setattr("pos_desktop.xcb_check.shutil.which", lambda _name: "/usr/bin/apt-get")

    def never(*_args: object, **_kwargs: object) -> int:
        raise AssertionError("neither installed as root nor opened without its libraries")

    monkeypatch.setattr("pos_desktop.xcb_check._apt_install", never)
    monkeypatch.setattr("pos_desktop.ui.app.run", never)
    assert kiosk_pos(["--data-dir", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "sudo apt-get install libxcb-icccm4 libxcb-keysyms1 libxkbcommon-x11-0" in err
