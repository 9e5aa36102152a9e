"""A promotion: engine columns the back office filters on, plus the engine's rule as JSON."""

from __future__ import annotations

from typing import Any

from django.db import models

from shared.pricing import Promotion as EnginePromotion
from shared.pricing import promotion_from_dict
from shared.pricing.types import PromotionKind
from sync_server.common.tenancy import TenantOwnedModel

# Keys of the engine's promotion that live in columns rather than in `rule`.
COLUMN_KEYS = frozenset(
    {
        "promotion_id",
        "name",
        "kind",
        "priority",
        "exclusive",
        "stackable",
        "valid_from",
        "valid_until",
    }
)


class Promotion(TenantOwnedModel):
    """Stored so that `to_engine()` gives exactly what terminals and the server price with."""

    name = models.CharField(max_length=200)
    kind = models.CharField(
        max_length=32, choices=[(kind.value, kind.name) for kind in PromotionKind]
    )
    priority = models.IntegerField(default=0)
    exclusive = models.BooleanField(default=False)
    stackable = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    valid_from = models.DateField(null=True, blank=True)
    valid_until = models.DateField(null=True, blank=True)
    # target, target_ids, percent_bp, amount_off_minor, buy/get quantities, bundle,
    # min_spend_minor, max_discount_minor, customer_group_ids, windows (schedule).
    rule = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-priority", "name"]

    def __str__(self) -> str:
        return self.name

    def engine_dict(self) -> dict[str, Any]:
        """The promotion in `shared.pricing` JSON form (columns merged over the rule)."""
        return {
            **self.rule,
            "promotion_id": str(self.id),
            "name": self.name,
            "kind": self.kind,
            "priority": self.priority,
            "exclusive": self.exclusive,
            "stackable": self.stackable,
            "valid_from": self.valid_from.isoformat() if self.valid_from else None,
            "valid_until": self.valid_until.isoformat() if self.valid_until else None,
        }

    def to_engine(self) -> EnginePromotion:
        """Validated engine promotion; raises PromotionFormatError naming the bad field."""
        return promotion_from_dict(self.engine_dict())
