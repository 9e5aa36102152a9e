"""Writes of promotions; every stored promotion is one the shared engine accepts."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from shared.pricing.types import PromotionFormatError
from sync_server.common.errors import ErrorCategory, Refused
from sync_server.common.services import apply_fields, soft_delete
from sync_server.promotions.models import COLUMN_KEYS, Promotion
from sync_server.tenants.models import Tenant


def _validate_with_engine(promotion: Promotion) -> None:
    """Reject (400, naming the field) anything `shared.pricing.promotion_from_dict` refuses."""
    try:
        promotion.to_engine()
    except PromotionFormatError as error:
        field = error.field if error.field in COLUMN_KEYS else f"rule.{error.field}"
        raise Refused(
            error.message,
            code=error.code,
            category=ErrorCategory.VALIDATION_ERROR,
            field=field,
        ) from error


@transaction.atomic
def promotion_create(*, tenant: Tenant, **fields: Any) -> Promotion:
    promotion = Promotion(tenant=tenant, **fields)
    _validate_with_engine(promotion)
    promotion.save()
    return promotion


@transaction.atomic
def promotion_update(*, tenant: Tenant, promotion: Promotion, **fields: Any) -> Promotion:
    for name, value in fields.items():
        setattr(promotion, name, value)
    _validate_with_engine(promotion)
    return apply_fields(promotion, {})


@transaction.atomic
def promotion_delete(*, tenant: Tenant, promotion: Promotion) -> None:
    soft_delete(promotion)
