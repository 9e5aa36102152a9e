"""What screens and services call to print: receipts, kitchen tickets, reports, drawer, tests."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.orm import Session, sessionmaker

from pos_desktop.printing.document import (
    KitchenTicketData,
    PrintDocument,
    ReceiptData,
    RefundSlipData,
    ShiftReportData,
    document_to_json,
    kitchen_ticket_document,
    receipt_document,
    refund_slip_document,
    shift_report_document,
    test_page_document,
)
from pos_desktop.printing.job_store import SqlJobStore
from pos_desktop.printing.labels import ENGLISH, SlipLabels
from pos_desktop.printing.paper import PaperProfile, paper_for_width
from pos_desktop.printing.queue import JobKind, PrintQueue, QueuedJob
from pos_desktop.printing.render_escpos import drawer_kick_bytes, render_escpos
from pos_desktop.printing.render_image import render_png
from pos_desktop.printing.render_text import render_text
from pos_desktop.printing.settings import PrinterSettings, load_printer_settings


class PrintService:
    """Renders documents and hands the bytes to the queue; every method returns at once.

    A method returns the queued job (watch it through `PrintQueue.add_listener`), or None
    when no printer is configured for that kind of slip: the sale goes on either way.
    """

    def __init__(self, queue: PrintQueue, settings: PrinterSettings) -> None:
        self.queue = queue
        self.settings = settings

    def use_settings(self, settings: PrinterSettings) -> None:
        """Switch printers after the settings screen saved new ones (queued jobs keep theirs)."""
        self.settings = settings

    def receipt(self, data: ReceiptData, *, copy: bool = False) -> PrintDocument:
        """The receipt as it prints here: the drawer opens on cash only when the settings say so."""
        document = receipt_document(data, copy=copy)
        if not self.settings.open_drawer_on_cash:
            document = replace(document, open_drawer=False)
        return document

    def print_receipt(self, data: ReceiptData, *, copy: bool = False) -> QueuedJob | None:
        """The customer's receipt; a cash sale also opens the drawer. `copy` for reprints."""
        return self.print_document(self.receipt(data, copy=copy), order_id=data.order_id)

    def print_refund_slip(self, data: RefundSlipData, *, copy: bool = False) -> QueuedJob | None:
        """The slip of a refund or void, on the receipt printer (`copy` for reprints)."""
        return self.print_document(refund_slip_document(data, copy=copy), order_id=data.order_id)

    def print_document(
        self, document: PrintDocument, *, order_id: str | None = None
    ) -> QueuedJob | None:
        """A receipt, refund slip or report already laid out (e.g. the one on screen), printed
        on the receipt printer exactly as it is."""
        if document.kind == "kitchen":
            raise ValueError("kitchen tickets go to their station's printer")
        paper = self.settings.receipt_paper()
        return self._enqueue(
            document.kind, self.settings.receipt_printer, document, paper, order_id
        )

    def text(self, document: PrintDocument) -> str:
        """The document as the receipt printer lays it out, for the screen's preview."""
        return render_text(document, self.settings.receipt_paper())

    def print_kitchen_ticket(self, data: KitchenTicketData) -> QueuedJob | None:
        """A ticket for the station's printer (used when configured, and when screens are down)."""
        url = self.settings.kitchen_printer(data.station)
        document = kitchen_ticket_document(data)
        paper = self.settings.kitchen_paper()
        return self._enqueue("kitchen", url, document, paper, data.order_id)

    def print_shift_report(self, data: ShiftReportData) -> QueuedJob | None:
        """An X or Z report on the receipt printer."""
        return self.print_document(shift_report_document(data))

    def open_drawer(self) -> QueuedJob | None:
        """Kick the cash drawer wired to the receipt printer (manager's "open drawer")."""
        if not self.settings.receipt_printer:
            return None
        payload = drawer_kick_bytes(self.settings.receipt_paper())
        return self.queue.enqueue("test", self.settings.receipt_printer, payload)

    def print_test_page(self, url: str, width_mm: int, labels: SlipLabels = ENGLISH) -> QueuedJob:
        """The settings screen's "test print" for a printer URL and paper width."""
        paper = paper_for_width(width_mm, code_page=self.settings.code_page)
        document = test_page_document(url, paper.columns, labels)
        job = self._enqueue("test", url, document, paper, None)
        assert job is not None
        return job

    def _enqueue(
        self,
        kind: JobKind,
        url: str,
        document: PrintDocument,
        paper: PaperProfile,
        order_id: str | None,
    ) -> QueuedJob | None:
        if not url:
            return None
        return self.queue.enqueue(
            kind,
            url,
            render_escpos(document, paper),
            document_json=document_to_json(document),
            order_id=order_id,
        )


def start_print_service(session_factory: sessionmaker[Session]) -> PrintService:
    """The terminal's print service: saved settings, jobs in SQLite, the worker started.

    Call `service.queue.stop()` at shutdown; unprinted jobs wait in the store for next start.
    """
    with session_factory() as session:
        settings = load_printer_settings(session)
    queue = PrintQueue(SqlJobStore(session_factory))
    queue.start()
    return PrintService(queue, settings)


def preview_png(document: PrintDocument, width_mm: int = 80) -> bytes:
    """A PNG of the slip for the screen (receipt preview, reprint dialog)."""
    return render_png(document, paper_for_width(width_mm))


def preview_text(document: PrintDocument, width_mm: int = 80) -> str:
    """The slip as monospaced text (logs, support, a quick preview)."""
    return render_text(document, paper_for_width(width_mm))
