"""The shift desk: open the drawer, cash in and out, X and Z reports and their printing."""

from __future__ import annotations

from pos_desktop.ids import utcnow
from pos_desktop.printing.document import PrintDocument, shift_report_document
from pos_desktop.printing.from_store import shift_report_data
from pos_desktop.services import shifts
from pos_desktop.till.context import TillContext
from pos_desktop.till.printer_desk import PrinterDesk
from pos_desktop.till.views import ReportView, ShiftView, TillError

_UNREAD = object()
"""Marks a shift the till has not read from disk yet."""

KEPT_REPORTS = 20
"""A shift shows a handful of reports; keep memory flat."""


class ShiftDesk:
    """The open shift of this terminal as last read, and the use cases of the shift screen."""

    def __init__(self, context: TillContext, printer: PrinterDesk) -> None:
        self._context = context
        self._printer = printer
        self._shift: ShiftView | object | None = _UNREAD
        self._report_documents: dict[str, PrintDocument] = {}
        """Report documents by their preview text, so "print" prints exactly what was shown."""

    def current_shift(self) -> ShiftView | None:
        """The open shift as last read (sign-in, open, close); navigation asks on the UI thread."""
        if self._shift is _UNREAD:
            self._shift = self._read_shift()
        return self._shift  # type: ignore[return-value]

    def refresh(self) -> None:
        """Read the open shift again (at sign-in: another session may have closed it)."""
        self._shift = self._read_shift()

    def _read_shift(self) -> ShiftView | None:
        with self._context.terminal.uow() as uow:
            shift = shifts.open_shift_row(uow.session)
            if shift is None:
                return None
            return ShiftView(shift.id, shift.cashier_id, shift.opened_at, shift.opening_float_minor)

    def open_shift(self, opening_float_minor: int) -> ShiftView:
        context = self._context
        context.call(
            shifts.open_shift, cashier=context.signed_in(), opening_float_minor=opening_float_minor
        )
        context.nudge()
        shift = self._shift = self._read_shift()
        assert shift is not None
        return shift

    def expected_cash(self) -> int:
        return self._report_figures().expected_cash_minor

    def move_cash(self, direction: str, amount_minor: int, reason: str, manager_pin: str) -> None:
        """A cash in (pay-in) or cash out (pay-out) of the open shift, approved by PIN."""
        context = self._context
        approval = context.approval(manager_pin, shifts.CASH_MOVEMENT_ACTION, reason)
        context.call(
            shifts.move_cash,
            cashier=context.signed_in(),
            direction=direction,
            amount_minor=amount_minor,
            reason=reason,
            approval=approval,
        )
        context.nudge()

    def _report_figures(self) -> shifts.ShiftReport:
        return self._context.call(shifts.x_report)

    def x_report(self) -> ReportView:
        return self._report_view("X", self._report_figures(), None)

    def close_shift(self, counted: dict[int, int], confirm_unsynced: bool = False) -> ReportView:
        context = self._context
        report = context.call(
            shifts.close_shift,
            cashier=context.signed_in(),
            counted=counted,
            confirm_unsynced=confirm_unsynced,
        )
        self._shift = None
        context.nudge()
        counted_minor = sum(value * count for value, count in counted.items())
        return self._report_view("Z", report, counted_minor)

    def _report_view(
        self, kind: str, report: shifts.ShiftReport, counted: int | None
    ) -> ReportView:
        figures = report.figures
        with self._context.terminal.uow() as uow:
            data = shift_report_data(
                uow.session,
                shift_id=report.shift_id,
                figures=figures,
                printed_at=utcnow(),
            )
        document = shift_report_document(data)
        text = self._printer.service().text(document)
        self._report_documents[text] = document
        while len(self._report_documents) > KEPT_REPORTS:
            del self._report_documents[next(iter(self._report_documents))]
        return ReportView(
            kind="Z" if kind == "Z" else "X",
            order_count=figures.order_count,
            gross_sales_minor=figures.gross_sales_minor,
            discount_minor=figures.discount_minor,
            tax_minor=figures.tax_minor,
            net_sales_minor=figures.net_sales_minor,
            refunds_minor=figures.refunds_minor,
            payments_by_method={str(k): v for k, v in figures.payments_by_method.items()},
            expected_cash_minor=report.expected_cash_minor,
            counted_cash_minor=counted,
            text=text,
        )

    def print_report(self, report: ReportView) -> None:
        document = self._report_documents.get(report.text)
        if document is None:
            raise TillError("Show the report again before printing it.", code="no_report")
        self._printer.service().print_document(document)
