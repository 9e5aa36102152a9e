"""What every screen is given: the till, the background runner and the money format."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QDialog, QWidget

from pos_desktop.till.views import TillError
from pos_desktop.ui.background import Background
from pos_desktop.ui.formatting import MoneyFormat
from pos_desktop.ui.ports import PrintJobsPort, Till
from pos_desktop.ui.widgets import label


class PrintJobWatcher(QObject):
    """Re-posts the print queue's job changes, made on its worker threads, to the UI thread.

    One per window, registered with the queue once: screens rebuilt after a language switch
    connect to it again instead of adding a listener to the queue each time.
    """

    changed = Signal(object)

    def __init__(self, till: PrintJobsPort, parent: QObject | None = None) -> None:
        super().__init__(parent)
        till.watch_print_jobs(self.changed.emit)


@dataclass(frozen=True)
class ScreenContext:
    """Shared by the screens of one window; built once the terminal is paired."""

    till: Till
    background: Background
    money: MoneyFormat
    print_jobs: PrintJobWatcher


def error_text(error: Exception) -> str:
    """What to tell the cashier: a till refusal as it is, anything else as a fault."""
    if isinstance(error, TillError):
        return error.message
    return f"{type(error).__name__}: {error}"


class Screen(QWidget):
    """A page of the main window with an error line the screen fills on refusals."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.setObjectName(name)
        self.error = label("", "error", name=f"{name}_error")
        self._dialog: QDialog | None = None

    def show_error(self, error: Exception | str) -> None:
        """Show a refusal where the cashier looks."""
        self.error.setText(error if isinstance(error, str) else error_text(error))

    def clear_error(self) -> None:
        """Forget the last refusal."""
        self.error.setText("")

    def activate(self) -> None:
        """Called each time the screen is shown: refresh what it displays."""

    def open_dialog(self, dialog: QDialog) -> None:
        """Open a dialog without blocking; the screen acts on its `accepted` signal."""
        self._dialog = dialog
        dialog.open()

    @property
    def current_dialog(self) -> QDialog | None:
        """The dialog this screen opened last (tests tap through it)."""
        return self._dialog
