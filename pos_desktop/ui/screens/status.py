"""Sync and print status, manager settings: waiting sales and slips, printer, language."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QHBoxLayout, QLineEdit, QVBoxLayout

from pos_desktop.printing.paper import PAPER_58, PAPER_80
from pos_desktop.till.views import AttentionItem, PrintJobView, SyncStatus, TerminalSettings
from pos_desktop.ui.dialogs import ManagerPinDialog, touch_table
from pos_desktop.ui.i18n import LANGUAGES
from pos_desktop.ui.models import attention_model
from pos_desktop.ui.ports import SettingsPort, StatusPort
from pos_desktop.ui.screens.base import Screen, ScreenContext
from pos_desktop.ui.screens.printers import PrinterOptionsPanel, PrintJobsPanel
from pos_desktop.ui.widgets import button, label

RECEIPT_WIDTHS = (PAPER_58.columns, PAPER_80.columns)
"""Characters per line of the two papers the printing package lays slips out for."""
TABLE_MIN_HEIGHT = 110


class StatusScreen(Screen):
    """Whether the cloud has every sale and the printers every slip; retry, export, drawer."""

    def __init__(self, context: ScreenContext) -> None:
        super().__init__("status")
        self._context = context
        self._till: StatusPort = context.till
        self.attention = attention_model()
        layout = QVBoxLayout(self)
        layout.addWidget(label(self.tr("Sync status"), "title"))
        self.summary = label("", name="status_summary")
        layout.addWidget(self.summary)
        layout.addWidget(label(self.tr("Needs attention"), "title"))
        self.table = touch_table(self.attention, "status_attention")
        self.table.setColumnWidth(0, 260)
        self.table.setMinimumHeight(TABLE_MIN_HEIGHT)  # two tables share the screen at 768 px
        layout.addWidget(self.table, 1)
        self.notice = label("", "hint", name="status_notice")
        layout.addWidget(self.notice)
        actions = QHBoxLayout()
        retry = button(self.tr("Retry"), name="status_retry")
        retry.clicked.connect(lambda: self._with_manager(self._retry))
        export = button(self.tr("Export to file"), name="status_export")
        export.clicked.connect(lambda: self._with_manager(self._export))
        actions.addWidget(retry)
        actions.addWidget(export)
        actions.addStretch(1)
        layout.addLayout(actions)
        self.printers = PrintJobsPanel(context, self)
        self.printers.table.setMinimumHeight(TABLE_MIN_HEIGHT)
        layout.addWidget(self.printers, 1)
        layout.addWidget(self.error)

    def activate(self) -> None:
        self.printers.refresh()

    def show_status(self, status: SyncStatus) -> None:
        """Refresh from the latest sync status (the main window pushes it)."""
        state = self.tr("Online") if status.online else self.tr("Offline")
        text = self.tr("%s — %d sale(s) or event(s) waiting to sync.") % (state, status.pending)
        if status.last_error:
            text += "\n" + self.tr("Last error: %s") % status.last_error
        self.summary.setText(text)
        selected = self._selected()
        self.attention.set_rows(status.attention)
        if selected is not None:
            ids = [item.id for item in status.attention]
            if selected.id in ids:
                self.table.selectRow(ids.index(selected.id))

    def _selected(self) -> AttentionItem | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return self.attention.row_at(rows[0].row()) if rows else None

    def _with_manager(self, action: object) -> None:
        item = self._selected()
        if item is None:
            self.show_error(self.tr("Select an item first."))
            return
        dialog = ManagerPinDialog(self, self.tr("Manager approval"))

        def approved() -> None:
            self._context.background.run(
                lambda: self._till.verify_manager(dialog.pin()),
                lambda _manager: action(item),  # type: ignore[operator]
                self.show_error,
            )

        dialog.accepted.connect(approved)
        self.open_dialog(dialog)

    def _retry(self, item: AttentionItem) -> None:
        self._context.background.run(
            lambda: self._till.retry(item.id),
            lambda _r: self.clear_error(),
            self.show_error,
        )

    def _export(self, item: AttentionItem) -> None:
        self._context.background.run(
            lambda: self._till.export(item.id),
            lambda path: self.notice.setText(self.tr("Exported to %s") % path),
            self.show_error,
        )


class SettingsScreen(Screen):
    """Manager settings of this terminal: printer, receipt width, server address, language."""

    language_chosen = Signal(str)

    def __init__(self, context: ScreenContext) -> None:
        super().__init__("settings")
        self._context = context
        self._till: SettingsPort = context.till
        layout = QVBoxLayout(self)
        layout.addWidget(label(self.tr("Terminal settings"), "title"))
        form = QFormLayout()
        self.printer = QComboBox()
        self.printer.setObjectName("settings_printer")
        self.printer.setEditable(True)
        self.receipt_width = QComboBox()
        self.receipt_width.setObjectName("settings_width")
        for width in RECEIPT_WIDTHS:
            self.receipt_width.addItem(self.tr("%d characters") % width, width)
        self.server = QLineEdit()
        self.server.setObjectName("settings_server")
        self.language = QComboBox()
        self.language.setObjectName("settings_language")
        for code, name in LANGUAGES.items():
            self.language.addItem(name, code)
        printer_row = QHBoxLayout()
        printer_row.addWidget(self.printer, 1)
        test_print = button(self.tr("Test print"), name="settings_testPrint")
        test_print.clicked.connect(self._test_print)
        printer_row.addWidget(test_print)
        form.addRow(self.tr("Receipt printer"), printer_row)
        form.addRow(self.tr("Receipt width"), self.receipt_width)
        form.addRow(self.tr("Server address"), self.server)
        form.addRow(self.tr("Language"), self.language)
        layout.addLayout(form)
        self.printer_options = PrinterOptionsPanel()
        layout.addWidget(self.printer_options)
        self.print_notice = label("", "hint", name="settings_printNotice")
        layout.addWidget(self.print_notice)
        layout.addWidget(self.error)
        self._test_job = ""
        context.print_jobs.changed.connect(self._test_job_changed)
        save = button(self.tr("Save"), "primary", name="settings_save")
        save.clicked.connect(self._save)
        layout.addWidget(save)
        layout.addStretch(1)

    def activate(self) -> None:
        settings = self._till.settings()
        self.printer.clear()
        self.printer.addItems(list(settings.printers))
        self.printer.setCurrentText(settings.printer)
        self.receipt_width.setCurrentIndex(
            max(0, self.receipt_width.findData(settings.receipt_width))
        )
        self.server.setText(settings.server_url)
        self.language.setCurrentIndex(max(0, self.language.findData(settings.language)))
        self.printer_options.show_settings(settings)

    def _save(self) -> None:
        current = self._till.settings()
        settings = self.printer_options.apply(
            TerminalSettings(
                printer=self.printer.currentText().strip() or current.printer,
                receipt_width=int(self.receipt_width.currentData()),
                server_url=self.server.text().strip(),
                language=str(self.language.currentData()),
                printers=current.printers,
            )
        )

        def saved(_result: object) -> None:
            self.clear_error()
            if settings.language != current.language:
                self.language_chosen.emit(settings.language)

        self._context.background.run(
            lambda: self._till.save_settings(settings), saved, self.show_error
        )

    def _test_print(self) -> None:
        """A test page to the printer as typed now, before or without saving it."""
        printer = self.printer.currentText()
        width = int(self.receipt_width.currentData())

        def queued(job: PrintJobView) -> None:
            self.clear_error()
            self._test_job = job.id
            self._test_job_changed(job)

        self._context.background.run(
            lambda: self._till.test_print(printer, width), queued, self.show_error
        )

    def _test_job_changed(self, job: PrintJobView) -> None:
        """Follow the test page: sent, printed, or the printer's answer while it retries."""
        if job.id != self._test_job:
            return
        if job.status == "printed":
            text = self.tr("Test page printed on %s.") % job.printer
        elif job.status == "failed":
            text = self.tr("Test print failed: %s") % job.last_error
        elif job.last_error:
            text = self.tr("Printer not reachable (%s); the queue keeps trying.") % job.last_error
        else:
            text = self.tr("Test page sent to %s…") % job.printer
        self.print_notice.setText(text)
