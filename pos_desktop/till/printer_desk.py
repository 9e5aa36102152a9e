"""The printer desk: slips of this till (receipts, refund slips, reports), the terminal's
settings screen (printers, server address, language) and the print queue's status list.

Every slip goes through the printing package's service with the stored printer settings; a
printer problem never blocks a sale (jobs queue locally and are retried)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import replace

from pos_desktop.printing.connection import PrinterUrlError, parse_printer_url
from pos_desktop.printing.document import PrintDocument
from pos_desktop.printing.from_store import (
    receipt_data_by_id,
    refund_slip_data_by_id,
    refund_slips_of_order,
    till_labels,
)
from pos_desktop.printing.job_store import SqlJobStore
from pos_desktop.printing.queue import PrintQueue, QueuedJob
from pos_desktop.printing.service import PrintService
from pos_desktop.printing.settings import (
    PrinterSettings,
    load_printer_settings,
    save_printer_settings,
)
from pos_desktop.services.errors import ServiceError
from pos_desktop.services.identity import change_server_url
from pos_desktop.store.settings import SettingKey, get_mapping, put_setting
from pos_desktop.till.context import TillContext, refuse
from pos_desktop.till.views import PrintJobView, TerminalSettings, TillError

log = logging.getLogger(__name__)


class PrinterDesk:
    """Printing, printer status and the terminal settings of one till."""

    def __init__(self, context: TillContext) -> None:
        self._context = context
        self.terminal = context.terminal
        self._printing: PrintService | None = None
        self._settings: TerminalSettings | None = None

    @property
    def print_queue(self) -> PrintQueue:
        return self._context.print_queue

    # --- slips ----------------------------------------------------------------------------

    def service(self) -> PrintService:
        """Every slip of this till prints through the printing package's service, with the
        stored printer settings (receipt printer, kitchen printers, code page, drawer)."""
        if self._printing is None:
            self._printing = PrintService(self.print_queue, self._printer_settings())
        return self._printing

    def _default_printer(self) -> str:
        return f"file:{self.terminal.data_dir / 'receipts.bin'}"

    def _printer_settings(self) -> PrinterSettings:
        """The stored printer settings; a till that never chose a receipt printer prints to a
        file in its data folder (a printer saved by an earlier version is taken over)."""
        with self.terminal.uow() as uow:
            stored = load_printer_settings(uow.session)
            earlier = get_mapping(uow.session, SettingKey.UI_SETTINGS)
        if stored.receipt_printer:
            return stored
        width = stored.receipt_width_mm
        if "receipt_width" in earlier:
            width = 58 if int(earlier["receipt_width"]) <= 32 else 80
        printer = str(earlier.get("printer") or self._default_printer())
        return replace(stored, receipt_printer=printer, receipt_width_mm=width)

    def receipt(self, order_id: str, *, copy: bool) -> PrintDocument:
        """The receipt of a stored order as it prints here, in the till's language."""
        with self.terminal.uow() as uow:
            data = receipt_data_by_id(uow.session, order_id)
        if data is None:
            raise TillError("No such order on this terminal.", code="no_order")
        return self.service().receipt(data, copy=copy)

    def print_refund_slip(self, refund_id: str) -> None:
        """The slip of a refund or void just recorded; a printer problem is logged, never
        raised: the money is already given back and on disk."""
        try:
            with self.terminal.uow() as uow:
                data = refund_slip_data_by_id(uow.session, refund_id)
            if data is not None:
                self.service().print_refund_slip(data)
        except Exception:
            log.exception("the slip of refund %s could not be queued", refund_id)

    def reprint_refunds(self, order_id: str) -> int:
        """The refund and void slips of an order again, marked COPY; how many were queued."""
        with self.terminal.uow() as uow:
            slips = refund_slips_of_order(uow.session, order_id)
        if slips is None:
            raise TillError("No such order on this terminal.", code="no_order")
        if not slips:
            raise TillError("Nothing was refunded or voided on this order.", code="no_refund")
        printing = self.service()
        jobs = [printing.print_refund_slip(slip, copy=True) for slip in slips]
        if any(job is None for job in jobs):
            raise TillError("Choose a receipt printer first.", code="no_printer")
        return len(jobs)

    # --- the settings screen --------------------------------------------------------------

    def settings(self) -> TerminalSettings:
        """Kept in memory once read; the settings screen and every print ask for it."""
        if self._settings is None:
            self._settings = self._read_settings()
        return self._settings

    def _read_settings(self) -> TerminalSettings:
        identity = self.terminal.identity()
        printing = self._printer_settings()
        with self.terminal.uow() as uow:
            saved = get_mapping(uow.session, SettingKey.UI_SETTINGS)
        return TerminalSettings(
            printer=printing.receipt_printer,
            receipt_width=printing.receipt_paper().columns,
            server_url=str(
                saved.get("server_url") or (identity.server_url if identity else "") or ""
            ),
            language=str(saved.get("language", "en")),
            printers=tuple(dict.fromkeys([printing.receipt_printer, self._default_printer()])),
            kitchen_printers=tuple(sorted(printing.kitchen_printers.items())),
            code_page=printing.code_page,
            open_drawer_on_cash=printing.open_drawer_on_cash,
        )

    def save_settings(self, settings: TerminalSettings) -> None:
        self._settings = None
        printing = _printer_settings_of(settings)
        with self.terminal.uow() as uow:
            identity = None
            if settings.server_url.strip():
                try:  # the terminal's identity is the one home of the address (sync reads it)
                    identity = change_server_url(uow.session, settings.server_url)
                except ServiceError as error:
                    raise refuse(error) from error
            earlier = get_mapping(uow.session, SettingKey.UI_SETTINGS)
            screen = {k: v for k, v in earlier.items() if k not in ("printer", "receipt_width")}
            screen["language"] = settings.language
            put_setting(uow.session, SettingKey.UI_SETTINGS, screen)
            kitchen_width_mm = load_printer_settings(uow.session).kitchen_width_mm
            save_printer_settings(uow.session, replace(printing, kitchen_width_mm=kitchen_width_mm))
            uow.commit()
        self._printing = None
        engine, moved_to = self._context.engine, identity.server_url if identity else None
        if engine is not None and moved_to and moved_to != engine.client.server_url:
            engine.use_server_url(moved_to)

    # --- printers -------------------------------------------------------------------------

    def _service_for(self, printer: str, receipt_width: int) -> PrintService:
        """The print service with the stored settings but the receipt printer and width the
        settings screen has typed (a test print before saving)."""
        try:
            url = parse_printer_url(printer).url if printer.strip() else ""
        except PrinterUrlError as error:
            raise TillError(str(error), code="bad_printer") from error
        if not url:
            raise TillError("Choose a receipt printer first.", code="no_printer")
        # The queue's worker is per target string: keep the one receipts are sent to.
        typed = replace(
            self.service().settings,
            receipt_printer=printer.strip(),
            receipt_width_mm=58 if receipt_width <= 32 else 80,
        )
        return PrintService(self.print_queue, typed)

    def test_print(self, printer: str, receipt_width: int) -> PrintJobView:
        """A test page to the printer as typed on the settings screen, saved or not.

        Queued like any slip; a printer that answers again also gets its waiting jobs now.
        """
        service = self._service_for(printer, receipt_width)
        settings = service.settings
        with self.terminal.uow() as uow:
            labels = till_labels(uow.session)
        job = service.print_test_page(settings.receipt_printer, settings.receipt_width_mm, labels)
        self.print_queue.wake(job.target)
        return _print_job_view(job)

    def open_drawer(self, manager_pin: str) -> PrintJobView:
        """Kick the cash drawer on the receipt printer; only a manager's PIN opens it."""
        self._context.approval(manager_pin, "open_drawer")
        job = self.service().open_drawer()
        if job is None:
            raise TillError("Choose a receipt printer first.", code="no_printer")
        self.print_queue.wake(job.target)
        return _print_job_view(job)

    def print_jobs(self, limit: int = 50) -> Sequence[PrintJobView]:
        """The latest print jobs, newest first, with their state and last error."""
        store = SqlJobStore(self.terminal.database.session_factory)
        return [_print_job_view(job) for job in store.recent(limit)]

    def retry_print_job(self, job_id: str) -> PrintJobView:
        """A failed job gets a fresh set of tries; a waiting one is tried now, skipping backoff."""
        job = self.print_queue.get(job_id)
        if job is None:
            raise TillError("That print job is gone.", code="no_print_job")
        if job.status == "printed":
            raise TillError(
                "That slip was printed; reprint a receipt from Orders.", code="already_printed"
            )
        if job.status == "failed":
            job = self.print_queue.retry(job_id) or job
        else:
            self.print_queue.wake(job.target)
        return _print_job_view(job)

    def watch_print_jobs(self, listener: Callable[[PrintJobView], None]) -> None:
        """Call `listener` with every new state of a print job, on the queue's worker threads."""
        self.print_queue.add_listener(lambda job: listener(_print_job_view(job)))


def _printer_settings_of(settings: TerminalSettings) -> PrinterSettings:
    """The printing package's settings from the settings screen's; a bad URL is refused."""
    try:
        return PrinterSettings(
            receipt_printer=settings.printer.strip(),
            receipt_width_mm=58 if settings.receipt_width <= 32 else 80,
            kitchen_printers={
                station.strip(): url.strip()
                for station, url in settings.kitchen_printers
                if station.strip() and url.strip()
            },
            code_page=settings.code_page,
            open_drawer_on_cash=settings.open_drawer_on_cash,
        )
    except (PrinterUrlError, ValueError) as error:
        raise TillError(str(error), code="bad_printer") from error


def _print_job_view(job: QueuedJob) -> PrintJobView:
    # The drawer pulse is queued as a "test" job with no document; name it what it is.
    kind = "drawer" if job.kind == "test" and job.document_json == "{}" else job.kind
    return PrintJobView(
        id=job.id,
        kind=kind,
        printer=job.target,
        status=job.status,
        attempts=job.attempts,
        created_at=job.created_at,
        last_error=(job.last_error or "")[:300],
        printed_at=job.printed_at,
        order_id=job.order_id,
    )
