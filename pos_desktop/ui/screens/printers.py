"""The print queue on screen: jobs with their state and last error, retry, and open drawer."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from pos_desktop.ui.dialogs import ManagerPinDialog, touch_table
from pos_desktop.ui.models import print_jobs_model
from pos_desktop.ui.ports import PrintJobView
from pos_desktop.ui.screens.base import Screen, ScreenContext
from pos_desktop.ui.widgets import button, label

SHOWN_JOBS = 50


class PrintJobsPanel(QWidget):
    """Recent print jobs (waiting, printed, failed with the printer's last answer).

    Anyone may retry a job that did not print; opening the drawer needs a manager's PIN.
    Refusals go to the host screen's error line.
    """

    def __init__(self, context: ScreenContext, host: Screen) -> None:
        super().__init__()
        self.setObjectName("printJobs")
        self._context = context
        self._host = host
        self.jobs = print_jobs_model(context.till.tenant().time_zone)
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
            lambda: self._context.till.print_jobs(SHOWN_JOBS), self.show_jobs, self._host.show_error
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
            lambda: self._context.till.retry_print_job(job.id), retried, self._host.show_error
        )

    def _ask_manager_for_drawer(self) -> None:
        dialog = ManagerPinDialog(self._host, self.tr("Open drawer"))

        def approved() -> None:
            self._context.background.run(
                lambda: self._context.till.open_drawer(dialog.pin()),
                self._drawer_sent,
                self._host.show_error,
            )

        dialog.accepted.connect(approved)
        self._host.open_dialog(dialog)

    def _drawer_sent(self, job: PrintJobView) -> None:
        self._host.clear_error()
        self.notice.setText(self.tr("Drawer pulse sent to %s.") % job.printer)
        self.job_changed(job)
