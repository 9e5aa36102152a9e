"""X/Z report figures (shared/reports.py): the accountant's waterfall, worked in rupiah."""

from __future__ import annotations

from shared.reports import (
    CashMovementRecord,
    RefundRecord,
    SalePayment,
    SaleRecord,
    SaleTax,
    TaxFigure,
    refund_tax_minor,
    shift_figures,
)

PB1 = ("PB1 10%", 1_000)


def _pb1(amount_minor: int, *, inclusive: bool = False) -> tuple[SaleTax, ...]:
    return (SaleTax(PB1[0], PB1[1], inclusive, amount_minor),)


def test_worked_idr_shift_net_sales_exclude_tax_and_service() -> None:
    # Sale 1 (cash): Rp 50.000 of food, Rp 5.000 off = 45.000; service 5% = 2.250;
    # PB1 10% added on 45.000 (4.500) and on the service (225) = 4.725; 51.975 rounds to 52.000.
    cash_sale = SaleRecord(
        subtotal_minor=50_000,
        discount_minor=5_000,
        service_charge_minor=2_250,
        rounding_minor=25,
        total_minor=52_000,
        taxes=_pb1(4_725),
        payments=(SalePayment("cash", 52_000),),
    )
    # Sale 2 (card): Rp 30.000, service 1.500, PB1 3.150, no cash rounding.
    card_sale = SaleRecord(
        subtotal_minor=30_000,
        discount_minor=0,
        service_charge_minor=1_500,
        rounding_minor=0,
        total_minor=34_650,
        taxes=_pb1(3_150),
        payments=(SalePayment("card", 34_650),),
    )
    # Sale 3 was voided: it counts as a void and nowhere else.
    voided = SaleRecord(
        subtotal_minor=20_000,
        discount_minor=0,
        service_charge_minor=1_000,
        rounding_minor=0,
        total_minor=23_100,
        taxes=_pb1(2_100),
        payments=(SalePayment("qris", 23_100),),
        voided=True,
    )
    # A cash refund of a Rp 11.000 line, 1.000 of it PB1.
    refund_tax = refund_tax_minor(
        line_total_minor=11_000, line_tax_minor=1_000, amount_minor=11_000
    )
    figures = shift_figures(
        opening_float_minor=500_000,
        sales=[cash_sale, card_sale, voided],
        refunds=[RefundRecord("cash", 11_000, refund_tax)],
        cash_movements=[
            CashMovementRecord("in", 200_000, "change top-up"),
            CashMovementRecord("out", 50_000, "ice and milk"),
        ],
        cash_counted_minor=690_900,
    )
    assert (figures.order_count, figures.void_count) == (2, 1)
    assert figures.gross_sales_minor == 80_000
    assert figures.discount_minor == 5_000
    assert figures.refunds_minor == 10_000  # 11.000 given back less its 1.000 of tax
    assert figures.net_sales_minor == 65_000  # excluding tax and service
    assert figures.service_charge_minor == 3_750
    assert figures.taxes == (TaxFigure("PB1 10%", 1_000, False, 7_875),)
    assert figures.tax_refunded_minor == 1_000
    assert figures.tax_minor == 6_875
    assert figures.rounding_minor == 25
    assert figures.total_collected_minor == 75_650
    # Total collected is what came in less what went back: 52.000 + 34.650 - 11.000.
    assert figures.total_collected_minor == (
        sum(figures.payments_by_method.values()) - sum(figures.refunds_by_method.values())
    )
    assert dict(figures.payments_by_method) == {"cash": 52_000, "card": 34_650}
    assert (figures.cash_in_minor, figures.cash_out_minor) == (200_000, 50_000)
    # 500.000 float + 52.000 cash sales - 11.000 refunded + 200.000 in - 50.000 out
    assert figures.cash_expected_minor == 691_000
    assert figures.cash_counted_minor == 690_900
    assert figures.cash_difference_minor == -100


def test_tax_inside_prices_is_not_gross_sales() -> None:
    # Prices include PB1: Rp 11.000 holds 10.000 of sales and 1.000 of tax.
    sale = SaleRecord(
        subtotal_minor=11_000,
        discount_minor=0,
        service_charge_minor=0,
        rounding_minor=0,
        total_minor=11_000,
        taxes=_pb1(1_000, inclusive=True),
        payments=(SalePayment("qris", 11_000),),
    )
    figures = shift_figures(opening_float_minor=0, sales=[sale])
    assert (figures.gross_sales_minor, figures.net_sales_minor) == (10_000, 10_000)
    assert figures.tax_minor == 1_000
    assert figures.total_collected_minor == 11_000
    assert figures.cash_expected_minor == 0  # nothing was paid in cash
    assert figures.cash_counted_minor is None and figures.cash_difference_minor is None


def test_taxes_are_listed_per_rate() -> None:
    sale = SaleRecord(
        subtotal_minor=20_000,
        discount_minor=0,
        service_charge_minor=0,
        rounding_minor=0,
        total_minor=21_550,
        taxes=(SaleTax("PB1 10%", 1_000, False, 1_000), SaleTax("PB1 5%", 500, False, 550)),
    )
    figures = shift_figures(opening_float_minor=0, sales=[sale, sale])
    assert [(t.name, t.amount_minor) for t in figures.taxes] == [
        ("PB1 10%", 2_000),
        ("PB1 5%", 1_100),
    ]


def test_refund_tax_share_rounds_half_up_and_survives_a_free_line() -> None:
    assert refund_tax_minor(line_total_minor=33_000, line_tax_minor=3_000, amount_minor=16_500) == (
        1_500
    )
    assert refund_tax_minor(line_total_minor=3, line_tax_minor=1, amount_minor=2) == 1
    assert refund_tax_minor(line_total_minor=0, line_tax_minor=0, amount_minor=0) == 0
