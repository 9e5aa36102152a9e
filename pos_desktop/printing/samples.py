"""A typical sale, kitchen ticket, refund and shift of the demo tenant (Kopi Kiosk), for
previews, screenshots and golden tests: the names, address, tax id, menu, modifiers, PB1 10%,
5% service and 100-rupiah cash rounding are those `kiosk-server seed_demo` creates."""

from __future__ import annotations

from datetime import UTC, datetime

from pos_desktop.printing.document import (
    AdjustmentData,
    KitchenItemData,
    KitchenTicketData,
    PaymentData,
    ReceiptData,
    ReceiptLineData,
    RefundLineData,
    RefundSlipData,
    ShiftReportData,
    TaxData,
    TenantHeader,
)
from pos_desktop.printing.labels import ENGLISH, SlipLabels
from shared.reports import ShiftFigures, TaxFigure
from shared.tax import tax_label

SAMPLE_ORDER_ID = "0192f3a4-5b6c-7d8e-9f01-23456789abcd"
SAMPLE_TIME = datetime(2026, 3, 14, 5, 7, tzinfo=UTC)  # 12:07 in Asia/Jakarta
SAMPLE_HEADER = TenantHeader(
    tenant_name="Kopi Kiosk",
    outlet_name="Kopi Kiosk Sudirman",
    address_lines=("Jl. Jend. Sudirman No. 1",),
    tax_id="01.234.567.8-901.000",
    tax_id_label="NPWP",
    extra_lines=("Kopi Kiosk", "Jl. Jend. Sudirman No. 1, Jakarta"),  # the seed's header text
    footer_lines=("Terima kasih! Sampai jumpa lagi.",),
)


def sample_receipt(labels: SlipLabels = ENGLISH) -> ReceiptData:
    """A cash sale: modifiers (defaults left out), a note, 5% service, PB1 10%, cash rounding."""
    lines = (
        ReceiptLineData("Kopi Susu", 2, 30_000, 60_000, modifiers=("Large", "Less sugar")),
        ReceiptLineData("Caffe Latte", 1, 37_000, 37_000, modifiers=("Extra shot",)),
        ReceiptLineData("Nasi Goreng", 1, 35_000, 35_000, note="Tidak pedas"),
    )
    subtotal_minor = sum(line.amount_minor for line in lines)  # 132.000
    service_minor = 6_600  # 5% of 132.000
    tax_minor = 13_860  # PB1 10% of 138.600 (the service charge is taxed)
    rounding_minor = 40  # 152.460 to the 100 rupiah
    total_minor = subtotal_minor + service_minor + tax_minor + rounding_minor  # 152.500
    return ReceiptData(
        header=SAMPLE_HEADER,
        receipt_no="MAIN-T1-000123",
        order_id=SAMPLE_ORDER_ID,
        terminal_name="t1",
        cashier_name="Demo Cashier",
        issued_at=SAMPLE_TIME,
        time_zone="Asia/Jakarta",
        currency="IDR",
        locale="id_ID",
        lines=lines,
        subtotal_minor=subtotal_minor,
        service_charges=(AdjustmentData(tax_label(labels.service_charge, 500), service_minor),),
        taxes=(TaxData("PB1", 1_000, tax_minor),),
        rounding_minor=rounding_minor,
        total_minor=total_minor,
        payments=(
            PaymentData(
                labels.method_name("cash"),
                total_minor,
                tendered_minor=200_000,
                change_minor=200_000 - total_minor,
                is_cash=True,
            ),
        ),
        table="12",
        labels=labels,
    )


def sample_kitchen_ticket(
    *, offline: bool = False, labels: SlipLabels = ENGLISH
) -> KitchenTicketData:
    """The bar's part of the sample sale (group defaults such as Regular left out)."""
    return KitchenTicketData(
        order_number="123",
        station="bar",
        created_at=SAMPLE_TIME,
        time_zone="Asia/Jakarta",
        items=(
            KitchenItemData("Kopi Susu", 2, modifiers=("Large", "Less sugar")),
            KitchenItemData("Caffe Latte", 1, modifiers=("Extra shot",), note="Oat milk"),
        ),
        table="12",
        receipt_no="MAIN-T1-000123",
        cashier_name="Demo Cashier",
        offline=offline,
        labels=labels,
    )


def sample_refund_slip(labels: SlipLabels = ENGLISH) -> RefundSlipData:
    """One of the two Kopi Susu of the sample sale given back in cash, a manager approving."""
    return RefundSlipData(
        kind="refund",
        header=SAMPLE_HEADER,
        receipt_no="MAIN-T1-000123",
        order_id=SAMPLE_ORDER_ID,
        terminal_name="t1",
        cashier_name="Demo Cashier",
        manager_name="Demo Manager",
        refunded_at=datetime(2026, 3, 14, 5, 31, tzinfo=UTC),
        time_zone="Asia/Jakarta",
        currency="IDR",
        locale="id_ID",
        lines=(RefundLineData("Kopi Susu", 1, 34_650),),
        amount_minor=34_700,
        method=labels.method_name("cash"),
        reason="Wrong order",
        labels=labels,
    )


def sample_shift_figures(*, closed: bool = True) -> ShiftFigures:
    """A day at the demo outlet whose figures add up the way `shared.reports` defines them."""
    return ShiftFigures(
        order_count=42,
        void_count=1,
        gross_sales_minor=2_450_000,
        discount_minor=120_000,
        refunds_minor=35_000,
        net_sales_minor=2_295_000,
        service_charge_minor=114_750,
        taxes=(TaxFigure("PB1", 1_000, False, 244_475),),
        tax_refunded_minor=3_500,
        tax_minor=240_975,
        rounding_minor=-250,
        total_collected_minor=2_650_475,
        payments_by_method={"cash": 1_600_000, "qris": 1_088_975},
        refunds_by_method={"cash": 38_500},
        opening_float_minor=500_000,
        cash_in_minor=0,
        cash_out_minor=50_000,
        cash_expected_minor=2_011_500,
        cash_counted_minor=2_010_000 if closed else None,
        cash_difference_minor=-1_500 if closed else None,
    )


def sample_shift_report(report: str = "Z", labels: SlipLabels = ENGLISH) -> ShiftReportData:
    """A shift of the demo till with cash and QRIS payments, a refund and a pay-out."""
    closed = report == "Z"
    return ShiftReportData(
        report="Z" if closed else "X",
        tenant_name="Kopi Kiosk",
        outlet_name="Kopi Kiosk Sudirman",
        terminal_name="t1",
        shift_name="0192f3a4",
        cashier_name="Demo Cashier",
        opened_at=datetime(2026, 3, 14, 0, 0, tzinfo=UTC),
        closed_at=datetime(2026, 3, 14, 8, 0, tzinfo=UTC) if closed else None,
        printed_at=datetime(2026, 3, 14, 8, 1, tzinfo=UTC),
        time_zone="Asia/Jakarta",
        currency="IDR",
        locale="id_ID",
        figures=sample_shift_figures(closed=closed),
        labels=labels,
    )
