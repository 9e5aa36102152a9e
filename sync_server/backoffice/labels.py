"""Model choice labels the back office shows, marked for its Indonesian catalog.

The models keep plain English labels (the API serves values, not labels); templates
translate them with `{% translate terminal.get_status_display %}`.
"""

from __future__ import annotations

from django.utils.translation import gettext_noop

CHOICE_LABELS = (
    gettext_noop("Cashier terminal"),
    gettext_noop("Kitchen screen"),
    gettext_noop("Active"),
    gettext_noop("Revoked"),
    gettext_noop("Paid"),
    gettext_noop("Partially refunded"),
    gettext_noop("Refunded"),
    gettext_noop("Voided"),
    gettext_noop("Super admin"),
    gettext_noop("Owner"),
    gettext_noop("Admin"),
    gettext_noop("Manager"),
    gettext_noop("Cashier"),
    gettext_noop("Kitchen"),
)
