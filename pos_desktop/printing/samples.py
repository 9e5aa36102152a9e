"""A typical café sale, kitchen ticket and shift, for previews, screenshots and tests."""

from __future__ import annotations

from datetime import UTC, datetime

from pos_desktop.printing.document import (
    AdjustmentData,
    KitchenItemData,
    KitchenTicketData,
    ModifierData,
    PaymentData,
    ReceiptData,
    ReceiptLineData,
    ShiftReportData,
    TaxData,
    TenantHeader,
)

SAMPLE_ORDER_ID = "0192f3a4-5b6c-7d8e-9f01-23456789abcd"
SAMPLE_TIME = datetime(2026, 3, 14, 5, 7, tzinfo=UTC)  # 12:07 in Asia/Jakarta


def sample_receipt() -> ReceiptData:
    """A cash sale in rupiah with modifiers, a note, a promotion, service charge and PB1 tax."""
    lines = (
        ReceiptLineData("Es Teh Manis", 2, 8_000, 16_000),
        ReceiptLineData(
            "Nasi Goreng Spesial Kampung dengan Telur Mata Sapi",
            1,
            35_000,
            40_000,
            modifiers=(ModifierData("Extra telur", 5_000), ModifierData("Pedas level 3")),
            note="Tanpa bawang",
        ),
        ReceiptLineData("Crème brûlée", 1, 28_000, 28_000),
        ReceiptLineData("Café Señor", 1, 30_000, 30_000),
    )
    subtotal_minor = sum(line.amount_minor for line in lines)  # 114.000
    discount_minor = -11_400  # Happy hour 10%
    service_minor = 5_130  # 5% of 102.600
    tax_minor = 10_773  # PB1 10% of 107.730
    total_minor = subtotal_minor + discount_minor + service_minor + tax_minor  # 118.503
    rounding_minor = -3
    payable_minor = total_minor + rounding_minor
    return ReceiptData(
        header=TenantHeader(
            tenant_name="Warung Kopi Senja",
            outlet_name="Outlet Kemang",
            address_lines=("Jl. Kemang Raya No. 12", "Jakarta Selatan 12730"),
            tax_id="NPWP 01.234.567.8-901.000",
            footer_lines=("Terima kasih!", "wifi: senja / kopisusu"),
        ),
        receipt_no="KMG-T01-000123",
        order_id=SAMPLE_ORDER_ID,
        terminal_name="T01",
        cashier_name="Siti",
        issued_at=SAMPLE_TIME,
        time_zone="Asia/Jakarta",
        currency="IDR",
        locale="id_ID",
        lines=lines,
        subtotal_minor=subtotal_minor,
        discounts=(AdjustmentData("Happy hour 10%", discount_minor),),
        service_charges=(AdjustmentData("Service 5%", service_minor),),
        taxes=(TaxData("PB1", 1_000, tax_minor),),
        rounding_minor=rounding_minor,
        total_minor=payable_minor,
        payments=(
            PaymentData(
                "Cash",
                payable_minor,
                tendered_minor=150_000,
                change_minor=150_000 - payable_minor,
                is_cash=True,
            ),
        ),
        table="12",
    )


def sample_kitchen_ticket(*, offline: bool = False) -> KitchenTicketData:
    """The kitchen part of the sample sale for the hot-kitchen station."""
    return KitchenTicketData(
        order_number="123",
        station="Hot kitchen",
        created_at=SAMPLE_TIME,
        time_zone="Asia/Jakarta",
        items=(
            KitchenItemData(
                "Nasi Goreng Spesial Kampung dengan Telur Mata Sapi",
                1,
                modifiers=("Extra telur", "Pedas level 3"),
                note="Tanpa bawang",
            ),
            KitchenItemData("Crème brûlée", 1),
        ),
        table="12",
        receipt_no="KMG-T01-000123",
        cashier_name="Siti",
        offline=offline,
    )


def sample_shift_report(report: str = "Z") -> ShiftReportData:
    """A closed shift with cash and QRIS payments."""
    return ShiftReportData(
        report="Z" if report == "Z" else "X",
        tenant_name="Warung Kopi Senja",
        outlet_name="Outlet Kemang",
        terminal_name="T01",
        shift_name="2026-03-14 morning",
        cashier_name="Siti",
        opened_at=datetime(2026, 3, 14, 0, 0, tzinfo=UTC),
        closed_at=datetime(2026, 3, 14, 8, 0, tzinfo=UTC) if report == "Z" else None,
        printed_at=datetime(2026, 3, 14, 8, 1, tzinfo=UTC),
        time_zone="Asia/Jakarta",
        currency="IDR",
        locale="id_ID",
        order_count=42,
        gross_sales_minor=2_450_000,
        discounts_minor=120_000,
        refunds_minor=35_000,
        net_sales_minor=2_562_000,
        service_charge_minor=116_500,
        tax_minor=115_500,
        void_count=1,
        payments=(AdjustmentData("Cash", 1_567_000), AdjustmentData("QRIS", 995_000)),
        opening_float_minor=500_000,
        cash_out_minor=50_000,
        cash_expected_minor=1_982_000,
        cash_counted_minor=1_980_000 if report == "Z" else None,
    )
