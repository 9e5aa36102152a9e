"""The touch look: big targets (at least 48 px), high contrast, one stylesheet for the app."""

from __future__ import annotations

TOUCH_TARGET_PX = 48
"""Smallest height or width of anything a finger must hit."""

STYLESHEET = f"""
QWidget {{ font-size: 15px; color: #1d2430; }}
QMainWindow, QDialog {{ background: #f3f4f6; }}
QPushButton {{
    min-height: {TOUCH_TARGET_PX}px; min-width: {TOUCH_TARGET_PX}px;
    padding: 4px 12px; border: 1px solid #c5cad3; border-radius: 8px; background: #ffffff;
}}
QPushButton:pressed {{ background: #dbe4f0; }}
QPushButton:checked {{ background: #1f6feb; color: white; border-color: #1f6feb; }}
QPushButton:disabled {{ color: #9aa1ad; background: #eceef1; }}
QPushButton[role="primary"] {{
    background: #1a7f37; color: white; border-color: #1a7f37; font-size: 20px; font-weight: bold;
}}
QPushButton[role="primary"]:disabled {{ background: #9cc8a8; }}
QPushButton[role="danger"] {{ background: #cf222e; color: white; border-color: #cf222e; }}
QPushButton[role="danger"]:disabled {{
    background: #eceef1; color: #9aa1ad; border-color: #c5cad3;
}}
QPushButton[role="key"] {{ font-size: 24px; min-height: 64px; }}
QPushButton[role="compact"] {{ padding: 2px 4px; font-size: 15px; }}
QPushButton[role="nav"] {{ border: none; background: transparent; color: #e6edf3; }}
QPushButton[role="nav"]:checked {{ background: #30363d; color: white; }}
QLineEdit, QComboBox, QSpinBox {{
    min-height: {TOUCH_TARGET_PX - 8}px; padding: 2px 8px; border: 1px solid #c5cad3;
    border-radius: 6px; background: white; font-size: 17px;
}}
QTabBar::tab {{
    min-height: {TOUCH_TARGET_PX}px; min-width: 96px; padding: 0 14px; font-size: 16px;
}}
QTabBar::tab:selected {{ background: #1f6feb; color: white; border-radius: 6px; }}
QListView, QTableView {{ background: white; border: 1px solid #d0d7de; border-radius: 6px; }}
QHeaderView::section {{ padding: 6px; background: #eef1f4; border: none; font-weight: bold; }}
QScrollBar:vertical {{ width: 20px; }}
QLabel[role="title"] {{ font-size: 26px; font-weight: bold; }}
QLabel[role="total"] {{ font-size: 30px; font-weight: bold; color: #0b3d91; }}
QLabel[role="hint"] {{ color: #57606a; }}
QLabel[role="error"] {{ color: #cf222e; font-weight: bold; }}
QFrame#header {{ background: #161b22; }}
QFrame#header QLabel {{ color: #e6edf3; }}
QFrame#offlineBanner {{ background: #cf222e; }}
QFrame#offlineBanner QLabel {{ color: white; font-weight: bold; font-size: 16px; }}
QFrame#saleBanner {{ background: #dafbe1; border: 1px solid #1a7f37; border-radius: 8px; }}
QFrame#statusStrip {{ background: #eaeef2; border-top: 1px solid #d0d7de; }}
QFrame#readyNotice {{ background: #fff8c5; border: 1px solid #d4a72c; border-radius: 8px; }}
QPlainTextEdit#receipt {{
    font-family: "DejaVu Sans Mono", monospace; font-size: 13px; background: white;
}}
"""
