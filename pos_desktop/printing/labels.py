"""The words printed on slips (receipt, kitchen ticket, X/Z, refund and void), per language.

Slips follow the till's interface language, like its screens. This is the one table of slip
words; printing stays Qt-free, so it does not go through Qt's translator.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.pricing.tenders import payment_method_label


@dataclass(frozen=True)
class SlipLabels:
    """Every fixed word a slip prints; amounts and names come from the data."""

    language: str = "en"
    """The language code, for the words kept in `shared` (payment methods)."""
    # receipt
    receipt_no: str = "Receipt"
    terminal: str = "Terminal"
    cashier: str = "Cashier"
    date: str = "Date"
    table: str = "Table"
    customer: str = "Customer"
    subtotal: str = "Subtotal"
    discount: str = "Discount"
    service_charge: str = "Service charge"
    tax_included: str = "incl."
    rounding: str = "Rounding"
    total: str = "TOTAL"
    tendered: str = "Tendered"
    change: str = "Change"
    copy: str = "COPY"
    tax_id: str = "Tax ID"
    voided: str = "VOIDED"
    refunded: str = "REFUNDED"
    partly_refunded: str = "PARTLY REFUNDED"
    # kitchen ticket
    time: str = "Time"
    already_printed: str = "ALREADY PRINTED"
    printed_offline: str = "PRINTED OFFLINE"
    # X/Z report
    x_report: str = "X REPORT"
    z_report: str = "Z REPORT"
    outlet: str = "Outlet"
    shift: str = "Shift"
    opened: str = "Opened"
    closed: str = "Closed"
    printed: str = "Printed"
    orders: str = "Orders"
    voids: str = "Voids"
    gross_sales: str = "Gross sales"
    discounts: str = "Discounts"
    refunds: str = "Refunds"
    refund_in: str = "Refund"
    net_sales: str = "Net sales (excl. tax & service)"
    tax: str = "Tax"
    tax_refunded: str = "Tax refunded"
    total_collected: str = "Total collected"
    payments: str = "Payments"
    opening_float: str = "Opening float"
    cash_in: str = "Cash in"
    cash_out: str = "Cash out"
    cash_expected: str = "Cash expected"
    cash_counted: str = "Cash counted"
    difference: str = "Difference"
    # refund and void slips (the words of the orders screen: Refund, Void)
    refund_title: str = "REFUND"
    void_title: str = "VOID"
    refunded_total: str = "Refunded"
    voided_total: str = "Voided"
    method: str = "Method"
    original_payment: str = "As paid"
    reason: str = "Reason"
    approved_by: str = "Approved by"
    # test page
    test_print: str = "TEST PRINT"
    columns: str = "columns"

    def method_name(self, method: str) -> str:
        """A payment method code (cash, card, qris, ewallet) as the slip prints it."""
        return payment_method_label(method, self.language)


ENGLISH = SlipLabels()

INDONESIAN = SlipLabels(
    language="id",
    receipt_no="Struk",
    terminal="Terminal",
    cashier="Kasir",
    date="Tanggal",
    table="Meja",
    customer="Pelanggan",
    subtotal="Subtotal",
    discount="Diskon",
    service_charge="Biaya layanan",
    tax_included="termasuk",
    rounding="Pembulatan",
    total="TOTAL",
    tendered="Dibayar",
    change="Kembalian",
    copy="SALINAN",
    tax_id="NPWP",
    voided="DIBATALKAN",
    refunded="DIREFUND",
    partly_refunded="SEBAGIAN DIREFUND",
    time="Waktu",
    already_printed="SUDAH DICETAK",
    printed_offline="DICETAK OFFLINE",
    x_report="LAPORAN X",
    z_report="LAPORAN Z",
    outlet="Outlet",
    shift="Shift",
    opened="Dibuka",
    closed="Ditutup",
    printed="Dicetak",
    orders="Pesanan",
    voids="Pembatalan",
    gross_sales="Penjualan kotor",
    discounts="Diskon",
    refunds="Retur penjualan",
    refund_in="Refund",
    net_sales="Penjualan bersih (tanpa pajak & layanan)",
    tax="Pajak",
    tax_refunded="Pajak dikembalikan",
    total_collected="Total diterima",
    payments="Pembayaran",
    opening_float="Modal awal",
    cash_in="Kas masuk",
    cash_out="Kas keluar",
    cash_expected="Kas seharusnya",
    cash_counted="Kas dihitung",
    difference="Selisih",
    refund_title="REFUND",
    void_title="BATAL",
    refunded_total="Direfund",
    voided_total="Dibatalkan",
    method="Metode",
    original_payment="Sesuai pembayaran",
    reason="Alasan",
    approved_by="Disetujui oleh",
    test_print="CETAK UJI",
    columns="kolom",
)

SLIP_LABELS = {"en": ENGLISH, "id": INDONESIAN}
"""Slip words by the language codes the cashier app offers."""


def slip_labels(language: str) -> SlipLabels:
    """The slip words for a language code (`id`, `id_ID`, `en`); English when unknown."""
    return SLIP_LABELS.get(language.replace("-", "_").split("_")[0].lower(), ENGLISH)


TAX_ID_NAMES = {"ID": "NPWP"}
"""What a business's tax number is called in its country; the label table's word elsewhere."""


def tax_id_name(locale: str, currency: str, labels: SlipLabels) -> str:
    """The label of the tax id: by the business's country (NPWP in Indonesia), not the till's."""
    parts = locale.replace("-", "_").split("_")
    territory = parts[1].upper() if len(parts) > 1 else ""
    if currency.upper() == "IDR":  # rupiah prices: a business registered with the Indonesian DJP
        territory = "ID"
    return TAX_ID_NAMES.get(territory, labels.tax_id)
