"""Hostile or careless input on back-office pages is a form error, never a 500."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from sync_server.backoffice.promotions import percent_bp
from sync_server.backoffice.spreadsheets import formula_safe
from sync_server.reports.tables import REPORTS

pytestmark = pytest.mark.django_db

FAR_DATES = "date_from=0001-01-01&date_to=9999-12-31"


@pytest.mark.parametrize(
    "path",
    [
        "/backoffice/",
        "/backoffice/orders/",
        "/backoffice/audit/",
        "/backoffice/stock/movements/",
        f"/backoffice/reports/{REPORTS[0].slug}/",
    ],
)
def test_dates_far_outside_any_sale_are_a_form_error(
    browser: Callable[[str], Client], path: str
) -> None:
    """Year 1 and 9999 overflowed turning days into the tenant's local moments (a 500)."""
    answer = browser("demo.owner").get(f"{path}?{FAR_DATES}")
    assert answer.status_code == 200, answer.content[:300]


def test_a_page_number_past_any_list_is_answered(browser: Callable[[str], Client]) -> None:
    """A 20-digit page overflowed the OFFSET (a database error, a 500)."""
    answer = browser("demo.owner").get("/backoffice/orders/?page=99999999999999999999")
    assert answer.status_code == 200


@pytest.mark.parametrize("text", ["sNaN", "NaN", "Infinity", "1e999999999", "-1", "101"])
def test_a_percentage_that_is_no_share_is_refused_in_words(text: str) -> None:
    with pytest.raises(ValueError, match="percentage"):
        percent_bp(text)


def test_text_a_spreadsheet_would_run_as_a_formula_is_written_as_text() -> None:
    rows = [['=HYPERLINK("http://x")', "+1+cmd|' /C calc'!A0", "-2+3*A1", "@SUM(A1)", "Kopi"]]
    assert list(formula_safe(rows)) == [[f"'{cell}" for cell in rows[0][:4]] + ["Kopi"]]
    plain = [["+62 812-0000-001", "-5000", -5_000, 12]]  # a phone, a refund: numbers as typed
    assert list(formula_safe(plain)) == plain
