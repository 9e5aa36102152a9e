"""Printers on screen: kitchen printers, code page and drawer settings; the print queue with
its jobs' state and last error, retry, and open drawer."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from pos_desktop.printing.paper import CODE_PAGE_CODECS
from pos_desktop.till.views import PrintJobView, TerminalSettings
from pos_desktop.ui.dialogs import ManagerPinDialog, touch_table
from pos_desktop.ui.models import print_jobs_model
from pos_desktop.ui.ports import PrintersPort
from pos_desktop.ui.screens.base import Screen, ScreenContext
from pos_desktop.ui.theme import TOUCH_TARGET_PX
from pos_desktop.ui.widgets import button, label

SHOWN_JOBS = 50
SHOWN_KITCHEN_ROWS = 2
"""Kitchen printer rows shown at once on the settings screen; more scroll."""
ALL_STATIONS = "*"
"""The station key of the kitchen printer for every station without its own."""


class PrinterOptionsPanel(QWidget):
    """Kitchen printers by station (`*` for all others), the printers' code page, and whether
    a cash sale opens the drawer: part of the settings screen, saved with it."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("printerOptions")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        # One line for the header and the printer-wide options, so the screen fits 768 px.
        head = QHBoxLayout()
        head.addWidget(label(self.tr("Kitchen printers")))
        add = button(self.tr("Add kitchen printer"), name="printerOptions_add")
        add.clicked.connect(lambda: self.add_row())
        head.addWidget(add)
        head.addStretch(1)
        head.addWidget(label(self.tr("Code page")))
        self.code_page = QComboBox()
        self.code_page.setObjectName("printerOptions_codePage")
        for code_page in CODE_PAGE_CODECS:
            self.code_page.addItem(code_page, code_page)
        head.addWidget(self.code_page)
        self.open_drawer = QCheckBox(self.tr("Open the drawer on cash sales"))
        self.open_drawer.setObjectName("printerOptions_openDrawer")
        self.open_drawer.setMinimumHeight(TOUCH_TARGET_PX)
        self.open_drawer.setStyleSheet("QCheckBox::indicator { width: 28px; height: 28px; }")
        head.addWidget(self.open_drawer)
        layout.addLayout(head)
        rows = QWidget()
        self.rows = QGridLayout(rows)
        self.rows.setContentsMargins(0, 0, 0, 0)
        self.rows.setColumnStretch(1, 1)
        # Many stations scroll inside the panel, so the screen still fits 1024x768.
        scroller = QScrollArea()
        scroller.setObjectName("printerOptions_rows")
        scroller.setWidget(rows)
        scroller.setWidgetResizable(True)
        scroller.setFrameShape(QFrame.Shape.NoFrame)
        scroller.setFixedHeight(SHOWN_KITCHEN_ROWS * (TOUCH_TARGET_PX + 18))
        layout.addWidget(scroller)
        self._rows: list[tuple[QLineEdit, QLineEdit, QWidget]] = []

    def add_row(self, station: str = "", printer: str = "") -> None:
        """One more station/printer pair (empty ones are ignored when saving)."""
        index = len(self._rows)
        station_edit = QLineEdit(station)
        station_edit.setObjectName(f"printerOptions_station{index}")
        station_edit.setPlaceholderText(self.tr("station (* for all)"))
        station_edit.setMaximumWidth(220)
        printer_edit = QLineEdit(printer)
        printer_edit.setObjectName(f"printerOptions_printer{index}")
        printer_edit.setPlaceholderText("tcp://192.168.1.50:9100")
        remove = button(self.tr("Remove"), name=f"printerOptions_remove{index}")
        remove.clicked.connect(lambda: self._remove(index))
        self.rows.addWidget(station_edit, index, 0)
        self.rows.addWidget(printer_edit, index, 1)
        self.rows.addWidget(remove, index, 2)
        self._rows.append((station_edit, printer_edit, remove))

    def _remove(self, index: int) -> None:
        station, printer, _remove = self._rows[index]
        station.clear()
        printer.clear()

    def kitchen_printers(self) -> tuple[tuple[str, str], ...]:
        """The pairs as typed, empty rows left out."""
        pairs = ((s.text().strip(), p.text().strip()) for s, p, _ in self._rows)
        return tuple((station, printer) for station, printer in pairs if station and printer)

    def show_settings(self, settings: TerminalSettings) -> None:
        """Fill the panel from the saved settings (one empty row to type a new printer)."""
        for widgets in self._rows:
            for widget in widgets:
                self.rows.removeWidget(widget)
                widget.deleteLater()
        self._rows = []
        for station, printer in settings.kitchen_printers:
            self.add_row(station, printer)
        if not settings.kitchen_printers:
            self.add_row(ALL_STATIONS)
        self.code_page.setCurrentIndex(max(0, self.code_page.findData(settings.code_page)))
        self.open_drawer.setChecked(settings.open_drawer_on_cash)

    def apply(self, settings: TerminalSettings) -> TerminalSettings:
        """`settings` with what this panel shows."""
        return replace(
            settings,
            kitchen_printers=self.kitchen_printers(),
            code_page=str(self.code_page.currentData()),
            open_drawer_on_cash=self.open_drawer.isChecked(),
        )


class PrintJobsPanel(QWidget):
    """Recent print jobs (waiting, printed, failed with the printer's last answer).

    Anyone may retry a job that did not print; opening the drawer needs a manager's PIN.
    Refusals go to the host screen's error line.
    """

    def __init__(self, context: ScreenContext, host: Screen) -> None:
        super().__init__()
        self.setObjectName("printJobs")
        self._context = context
        self._till: PrintersPort = context.till
        self._host = host
        self.jobs = print_jobs_model(self._till.tenant().time_zone)
        context.print_jobs.changed.connect(self.job_changed)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(label(self.tr("Printers"), "title"))
        self.table = touch_table(self.jobs, "printJobs_table")
        layout.addWidget(self.table, 1)
        self.notice = label("", "hint", name="printJobs_notice")
        layout.addWidget(self.notice)
        actions = QHBoxLayout()
        retry = button(self.tr("Retry print"), name="printJobs_retry")
        retry.clicked.connect(self._retry)
        drawer = button(self.tr("Open drawer"), name="printJobs_openDrawer")
        drawer.clicked.connect(self._ask_manager_for_drawer)
        actions.addWidget(retry)
        actions.addWidget(drawer)
        actions.addStretch(1)
        layout.addLayout(actions)

    def refresh(self) -> None:
        """Read the latest jobs from the store (when the screen is shown)."""
        self._context.background.run(
            lambda: self._till.print_jobs(SHOWN_JOBS), self.show_jobs, self._host.show_error
        )

    def show_jobs(self, jobs: list[PrintJobView]) -> None:
        """Show these jobs, newest first, keeping the selected one selected."""
        selected = self.selected()
        self.jobs.set_rows(jobs[:SHOWN_JOBS])
        if selected is not None:
            self._select(selected.id)

    def job_changed(self, job: PrintJobView) -> None:
        """A job moved on (queued, printing, printed, failed): update its row or add it on top."""
        rows = self.jobs.rows()
        ids = [row.id for row in rows]
        if job.id in ids:
            rows[ids.index(job.id)] = job
        else:
            rows.insert(0, job)
        self.show_jobs(rows)

    def selected(self) -> PrintJobView | None:
        """The job the finger is on."""
        model = self.table.selectionModel()
        rows = model.selectedRows() if model is not None else []
        return self.jobs.row_at(rows[0].row()) if rows else None

    def _select(self, job_id: str) -> None:
        ids = [row.id for row in self.jobs.rows()]
        if job_id in ids:
            self.table.selectRow(ids.index(job_id))

    def _retry(self) -> None:
        job = self.selected()
        if job is None:
            self._host.show_error(self.tr("Select a print job first."))
            return

        def retried(again: PrintJobView) -> None:
            self._host.clear_error()
            self.notice.setText(self.tr("Sending again to %s.") % again.printer)
            self.job_changed(again)

        self._context.background.run(
            lambda: self._till.retry_print_job(job.id), retried, self._host.show_error
        )

    def _ask_manager_for_drawer(self) -> None:
        dialog = ManagerPinDialog(self._host, self.tr("Open drawer"))

        def approved() -> None:
            self._context.background.run(
                lambda: self._till.open_drawer(dialog.pin()),
                self._drawer_sent,
                self._host.show_error,
            )

        dialog.accepted.connect(approved)
        self._host.open_dialog(dialog)

    def _drawer_sent(self, job: PrintJobView) -> None:
        self._host.clear_error()
        self.notice.setText(self.tr("Drawer pulse sent to %s.") % job.printer)
        self.job_changed(job)
