"""Promotion endpoints; the rule is the shared engine's JSON and is validated by it."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from shared.pricing.types import PromotionKind
from sync_server.common.apis import (
    FilterSerializer,
    ResourceDetailMixin,
    ResourceListMixin,
    TenantApi,
)
from sync_server.common.serializers import (
    RoleAwareOutputSerializer,
    StrictBooleanField,
    StrictInputSerializer,
    StrictIntegerField,
    name_field,
)
from sync_server.promotions import selectors, services
from sync_server.promotions.error_codes import PromotionErrorCode
from sync_server.promotions.models import COLUMN_KEYS, Promotion

KINDS = [kind.value for kind in PromotionKind]


class PromotionInput(StrictInputSerializer):
    name = name_field()
    kind = serializers.ChoiceField(choices=KINDS)
    priority = StrictIntegerField(required=False, min_value=-1000, max_value=1000)
    exclusive = StrictBooleanField(required=False)
    stackable = StrictBooleanField(required=False)
    is_active = StrictBooleanField(required=False)
    valid_from = serializers.DateField(required=False, allow_null=True)
    valid_until = serializers.DateField(required=False, allow_null=True)
    rule = serializers.JSONField(required=False)

    def validate_rule(self, value: Any) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise serializers.ValidationError(
                "rule must be a JSON object", code=PromotionErrorCode.NOT_OBJECT
            )
        clash = sorted(set(value) & COLUMN_KEYS)
        if clash:
            raise serializers.ValidationError(
                f"{clash[0]} is a top-level field, not part of the rule",
                code=PromotionErrorCode.UNKNOWN_FIELD,
            )
        return value


class PromotionOutput(RoleAwareOutputSerializer):
    resource = "promotions"

    class Meta:
        model = Promotion
        fields = [
            "id",
            "name",
            "kind",
            "priority",
            "exclusive",
            "stackable",
            "is_active",
            "valid_from",
            "valid_until",
            "rule",
            "version",
        ]


class PromotionFilter(FilterSerializer):
    kind = serializers.ChoiceField(choices=KINDS, required=False)
    is_active = serializers.BooleanField(required=False, allow_null=True, default=None)


class PromotionListApi(ResourceListMixin, TenantApi):
    """GET: promotions; POST: add one (the shared engine must accept it)."""

    resource = "promotions"
    InputSerializer = PromotionInput
    OutputSerializer = PromotionOutput
    FilterSerializer = PromotionFilter

    list_selector = selectors.promotion_list
    create_service = services.promotion_create


class PromotionDetailApi(ResourceDetailMixin, TenantApi):
    """GET, PATCH, DELETE one promotion."""

    resource = "promotions"
    InputSerializer = PromotionInput
    OutputSerializer = PromotionOutput

    detail_selector = selectors.promotion_list
    update_service = services.promotion_update
    delete_service = services.promotion_delete
    instance_argument = "promotion"
