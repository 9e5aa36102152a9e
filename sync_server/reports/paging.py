"""Paging of long lists (orders) without counting them: a page reads one row more than it shows.

Counting a filtered month of a busy tenant's orders costs more than showing them (at a million
orders, seconds: bench/admin.py), so a list page fetches `per_page + 1` rows: the extra one
says whether there is an older page, and only a first page that is also the last names its
total.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext, ngettext


@dataclass(frozen=True)
class ListPage:
    """One page of a list, numbered from 1, with what the pager needs (as Django's `Page`)."""

    rows: list[Any]
    number: int
    per_page: int
    has_next: bool

    def __iter__(self) -> Iterator[Any]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    def count_label(self) -> str:
        """`7 orders` when everything fits on the first page, else `Orders 51 to 100`."""
        if not self.has_other_pages:
            count = len(self.rows)
            return ngettext("%(count)s order", "%(count)s orders", count) % {"count": count}
        first = (self.number - 1) * self.per_page + 1
        return gettext("Orders %(first)s to %(last)s") % {
            "first": first,
            "last": first + len(self.rows) - 1,
        }


MAX_PAGE = 100_000
"""Pages past this are not asked for by a person; a bigger number would overflow the OFFSET."""


def list_page(rows: QuerySet[Any], *, number: str | None, per_page: int) -> ListPage:
    """Page `number` (1 when missing or not a number) of `rows`, in their order."""
    try:
        wanted = min(max(1, int(number or 1)), MAX_PAGE)
    except ValueError:
        wanted = 1
    start = (wanted - 1) * per_page
    found = list(rows[start : start + per_page + 1])
    return ListPage(found[:per_page], wanted, per_page, len(found) > per_page)
