"""Paging of long lists (orders) that counts no further than it needs to."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property
from django.utils.translation import gettext, ngettext

COUNT_CAP = 10_000
"""Rows counted at most: past this a list says "more than 10,000" instead of scanning on."""


class CappedPaginator(Paginator):  # type: ignore[type-arg]
    """A paginator whose count stops at COUNT_CAP + 1 rows (a LIMIT under the COUNT), so a
    tenant with a million orders pays for ten thousand: the last pages are then out of
    reach by number, filters narrow them down."""

    @cached_property
    def count(self) -> int:
        rows = self.object_list
        assert isinstance(rows, QuerySet), "a capped count needs a queryset"
        return rows.order_by()[: COUNT_CAP + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > COUNT_CAP

    def count_label(self) -> str:
        """`1,234 orders`, or `More than 10,000 orders` once capped."""
        if self.capped:
            return gettext("More than %(count)s orders") % {"count": f"{COUNT_CAP:,}"}
        return ngettext("%(count)s order", "%(count)s orders", self.count) % {"count": self.count}
