"""Tables as downloads (CSV with a BOM, XLSX) and an XLSX upload read as CSV text, so one
CSV reader checks both kinds of file."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any
from zipfile import BadZipFile

from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

XLSX_MAGIC = b"PK\x03\x04"
# What openpyxl raises on a file that is a zip but not a workbook, or no zip at all.
UNREADABLE = (InvalidFileException, BadZipFile, KeyError, OSError, ValueError, TypeError)


class TooManyRows(ValueError):
    """The sheet is longer than an import takes."""


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_SIGNED_NUMBER = re.compile(r"[+-][0-9 ().-]*")


def formula_safe(rows: Iterable[Sequence[Any]]) -> Iterable[list[Any]]:
    """Rows whose text cells cannot run as a formula in the owner's spreadsheet: a name a
    cashier typed as `=HYPERLINK(...)` is written `'=HYPERLINK(...)` (OWASP's CSV injection
    advice). Numbers stay numbers."""
    for row in rows:
        yield [f"'{cell}" if _runs_as_formula(cell) else cell for cell in row]


def _runs_as_formula(cell: Any) -> bool:
    """Text a spreadsheet would evaluate; a signed plain number (a phone `+62 812...`) is not
    dangerous and stays as typed."""
    if not isinstance(cell, str) or not cell.startswith(FORMULA_STARTS):
        return False
    return not PLAIN_SIGNED_NUMBER.fullmatch(cell)


def csv_download(rows: Iterable[Sequence[Any]], filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # spreadsheets read UTF-8 only with a BOM
    csv.writer(response).writerows(formula_safe(rows))
    return response


def xlsx_download(rows: Iterable[Sequence[Any]], filename: str, sheet_name: str) -> HttpResponse:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_name[:31])
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _cell_text(value: Any) -> str:
    """A cell as the text the CSV rules read: whole numbers without `.0`, dates ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def xlsx_as_csv(data: bytes, *, max_rows: int) -> str:
    """The first sheet of a workbook as CSV text (at most `max_rows` rows past the header,
    empty trailing rows dropped); ValueError when the bytes are not a readable workbook."""
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except UNREADABLE as error:
        raise ValueError(_("The file is not a readable XLSX workbook.")) from error
    rows: list[list[str]] = []
    try:
        for row in workbook.worksheets[0].iter_rows(values_only=True):
            if len(rows) > max_rows:
                raise TooManyRows(_("At most 5000 rows per file."))
            rows.append([_cell_text(value) for value in row])
    except TooManyRows:
        raise
    except (*UNREADABLE, IndexError) as error:
        raise ValueError(_("The file is not a readable XLSX workbook.")) from error
    finally:
        workbook.close()
    while rows and not any(rows[-1]):
        rows.pop()
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue()
