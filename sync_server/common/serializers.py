"""Strict input serializers: unknown fields, wrong JSON types and oversized money are 400s."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.validators import RegexValidator
from django.db import models
from rest_framework import serializers
from rest_framework.fields import empty

from sync_server.common.error_codes import CommonErrorCode

# Largest money amount accepted anywhere (minor units): 10^12 IDR is 1 trillion rupiah.
MONEY_LIMIT_MINOR = 10**12


class StrictIntegerField(serializers.IntegerField):
    """A JSON integer, nothing else: no "12", no 12.0, no true (money must never pass a float)."""

    default_error_messages = {"invalid": "A JSON integer is required."}

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


def money_field(*, allow_negative: bool = False, **kwargs: Any) -> StrictIntegerField:
    """An amount in minor units, capped at MONEY_LIMIT_MINOR; negative only for deltas."""
    minimum = -MONEY_LIMIT_MINOR if allow_negative else 0
    return StrictIntegerField(min_value=minimum, max_value=MONEY_LIMIT_MINOR, **kwargs)


def basis_points_field(**kwargs: Any) -> StrictIntegerField:
    """A rate in basis points, 0..10000 (100%)."""
    return StrictIntegerField(min_value=0, max_value=10_000, **kwargs)


class StrictBooleanField(serializers.BooleanField):
    """A JSON true/false only (DRF would also take "yes", 1, "on")."""

    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


class StrictCharField(serializers.CharField):
    """A JSON string only (DRF would turn 12 into "12")."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


def _drop_hidden_fields(serializer: serializers.Serializer[Any], resource: str) -> None:
    from sync_server.accounts.permissions import hidden_fields

    for name in hidden_fields(serializer.context.get("role", ""), resource):
        serializer.fields.pop(name, None)


class StrictInputSerializer(serializers.Serializer[Any]):
    """Input serializer that rejects fields it does not know (or the role may not set)."""

    resource: str = ""

    def __init__(self, instance: Any = None, data: Any = empty, **kwargs: Any) -> None:
        super().__init__(instance, data, **kwargs)
        _drop_hidden_fields(self, self.resource)

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            unknown = sorted(set(data) - writable)
            if unknown:
                raise serializers.ValidationError(
                    {
                        unknown[0]: [
                            serializers.ErrorDetail(
                                "unknown field", code=CommonErrorCode.UNKNOWN_FIELD
                            )
                        ]
                    }
                )
        return super().to_internal_value(data)


def tenant_related(
    manager: models.Manager[Any], **kwargs: Any
) -> serializers.PrimaryKeyRelatedField[Any]:
    """A reference to a row of the tenant in context; another tenant's id is 'does_not_exist'.

    The manager (not a queryset) is passed so the tenant filter is applied at
    validation time, inside the request's tenant scope.
    """
    return serializers.PrimaryKeyRelatedField(queryset=manager, **kwargs)


class RoleAwareOutputSerializer(serializers.ModelSerializer[Any]):
    """Output serializer that drops the fields the requesting role may not see."""

    resource: str = ""

    def __init__(self, instance: Any = None, data: Any = empty, **kwargs: Any) -> None:
        super().__init__(instance, data, **kwargs)
        _drop_hidden_fields(self, self.resource)


HEX_COLOUR = r"^(#[0-9a-fA-F]{6})?$"


def colour_field() -> StrictCharField:
    """`#RRGGBB` or empty."""
    return StrictCharField(
        required=False,
        allow_blank=True,
        max_length=7,
        validators=[
            RegexValidator(HEX_COLOUR, "a colour is #RRGGBB", code=CommonErrorCode.INVALID_COLOUR)
        ],
    )


def name_field(max_length: int = 200, **kwargs: Any) -> StrictCharField:
    """A required, trimmed, non-empty name."""
    return StrictCharField(max_length=max_length, **kwargs)


def sort_order_field() -> StrictIntegerField:
    return StrictIntegerField(required=False, min_value=-1_000_000, max_value=1_000_000)
