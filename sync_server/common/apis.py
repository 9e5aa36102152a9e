"""Base API views: tenant from the URL, tenant check, matrix permission, all in `tenant_atomic`.

A resource is two small views (list+create, detail+update+delete) that declare
`resource`, nested Input/Output/Filter serializers, and call one selector or
service. See sync_server/catalog/apis.py for the pattern.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from django.db import models, transaction
from django.http import HttpRequest, HttpResponseBase
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from sync_server.accounts.models import User
from sync_server.accounts.permissions import MatrixPermission
from sync_server.common.error_codes import CommonErrorCode
from sync_server.common.pagination import StandardPagination
from sync_server.common.schema import ResourceSchema
from sync_server.common.tenancy import tenant_atomic
from sync_server.tenants.models import Tenant


class TenantAccess(BasePermission):
    """The URL's tenant must be the user's own; super admins may enter any existing tenant."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        tenant: Tenant | None = getattr(view, "tenant", None)
        if not isinstance(user, User):
            return False
        if user.is_super_admin:
            if tenant is None:
                raise exceptions.NotFound("no such tenant")
            return True
        # An unknown slug answers like a foreign one, so slugs cannot be probed.
        if tenant is None or user.tenant_id != tenant.id:
            raise exceptions.PermissionDenied(
                "this is not your tenant", code=CommonErrorCode.TENANT_MISMATCH
            )
        return True


class KioskApi(APIView):
    """What every Kiosk view has: the acting user and the serializer context."""

    @property
    def actor(self) -> User:
        """The signed-in user making the request."""
        assert isinstance(self.request.user, User)
        return self.request.user

    def selector_kwargs(self) -> dict[str, Any]:
        """Keywords every selector of the view takes: `tenant=` under a tenant URL."""
        tenant = getattr(self, "tenant", None)
        return {"tenant": tenant} if tenant is not None else {}

    def service_kwargs(self) -> dict[str, Any]:
        """Keywords every service of the view takes (views may add `actor=`)."""
        return self.selector_kwargs()

    def serializer_context(self) -> dict[str, Any]:
        """Serializers hide fields by `role` and scope references by `tenant`."""
        return {
            "request": self.request,
            "role": self.actor.role,
            "tenant": getattr(self, "tenant", None),
        }


class TenantApi(KioskApi):
    """Base of every `/api/<tenant_slug>/...` view."""

    resource: ClassVar[str] = ""
    permission_classes = [IsAuthenticated, TenantAccess, MatrixPermission]
    tenant: Tenant | None = None
    owns_transaction: ClassVar[bool] = True

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.tenant = (
            Tenant.objects.filter(slug=kwargs.get("tenant_slug", ""), deleted_at__isnull=True)
            .only("id", "slug", "currency", "is_active")
            .first()
        )
        if self.tenant is None:
            # Unknown slug: the answer is an error, and the error handler rolls back the
            # transaction this view owns; it must own one, never roll back its caller's.
            with transaction.atomic():
                return super().dispatch(request, *args, **kwargs)
        with tenant_atomic(self.tenant):
            return super().dispatch(request, *args, **kwargs)

    @property
    def current_tenant(self) -> Tenant:
        """The tenant of the URL (set once TenantAccess passed)."""
        assert self.tenant is not None
        return self.tenant


class PlatformApi(KioskApi):
    """Base of views outside any tenant (super admin's `/api/tenants/`)."""

    resource: ClassVar[str] = ""
    permission_classes = [IsAuthenticated, MatrixPermission]
    owns_transaction: ClassVar[bool] = True

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        with transaction.atomic():
            return super().dispatch(request, *args, **kwargs)


class _ResourceMixin(KioskApi):
    """Shared plumbing of list and detail views: serializers and their context."""

    OutputSerializer: ClassVar[type[serializers.BaseSerializer[Any]]]
    InputSerializer: ClassVar[type[serializers.BaseSerializer[Any]] | None] = None
    schema = ResourceSchema()

    def output(self, instance: Any, *, many: bool = False) -> Any:
        return self.OutputSerializer(instance, many=many, context=self.serializer_context()).data

    def validated_input(
        self, data: Any, *, instance: Any = None, partial: bool = False
    ) -> dict[str, Any]:
        if self.InputSerializer is None:
            raise exceptions.MethodNotAllowed("POST")
        serializer = self.InputSerializer(
            instance, data=data, partial=partial, context=self.serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)


class ResourceListMixin(_ResourceMixin):
    """GET: filtered, paginated list from `list_selector`; POST: create with `create_service`.

    They get `selector_kwargs()` / `service_kwargs()` (tenant=...) plus the filters
    or the validated input.
    """

    FilterSerializer: ClassVar[type[serializers.Serializer[Any]] | None] = None
    pagination_class = StandardPagination
    is_list_view: ClassVar[bool] = True
    list_selector: ClassVar[Callable[..., models.QuerySet[Any]]]
    create_service: ClassVar[Callable[..., models.Model]]

    def list_queryset(self, *, filters: Mapping[str, Any]) -> models.QuerySet[Any]:
        return type(self).list_selector(**self.selector_kwargs(), **filters)

    def create_object(self, *, data: dict[str, Any]) -> models.Model:
        return type(self).create_service(**self.service_kwargs(), **data)

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        filters: Mapping[str, Any] = {}
        if self.FilterSerializer is not None:
            filter_serializer = self.FilterSerializer(data=request.query_params)
            filter_serializer.is_valid(raise_exception=True)
            filters = {
                key: value
                for key, value in filter_serializer.validated_data.items()
                if value not in (None, "")
            }
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(self.list_queryset(filters=filters), request, view=None)
        return paginator.get_paginated_response(self.output(page, many=True))

    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        instance = self.create_object(data=self.validated_input(request.data))
        return Response(self.output(instance), status=status.HTTP_201_CREATED)


class ResourceDetailMixin(_ResourceMixin):
    """GET one, PATCH it, DELETE it (soft delete); another tenant's id is a plain 404.

    `detail_selector` gives the queryset the id is looked up in; `update_service`
    and `delete_service` receive the row as the keyword `instance_argument`.
    """

    detail_selector: ClassVar[Callable[..., models.QuerySet[Any]]]
    update_service: ClassVar[Callable[..., Any]]
    delete_service: ClassVar[Callable[..., Any]]
    instance_argument: ClassVar[str]

    def detail_queryset(self) -> models.QuerySet[Any]:
        return type(self).detail_selector(**self.selector_kwargs())

    def update_object(self, *, instance: Any, data: dict[str, Any]) -> None:
        type(self).update_service(
            **self.service_kwargs(), **{self.instance_argument: instance}, **data
        )

    def delete_object(self, *, instance: Any) -> None:
        type(self).delete_service(**self.service_kwargs(), **{self.instance_argument: instance})

    def get_object(self) -> Any:
        instance = self.detail_queryset().filter(pk=self.kwargs["pk"]).first()
        if instance is None:
            raise exceptions.NotFound("no such object")
        return instance

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(self.output(self.get_object()))

    def patch(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        instance = self.get_object()
        data = self.validated_input(request.data, instance=instance, partial=True)
        self.update_object(instance=instance, data=data)
        return Response(self.output(self.get_object()))  # re-read: prefetched children moved

    def delete(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.delete_object(instance=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class FilterSerializer(serializers.Serializer[Any]):
    """Query parameters every list understands: `search`."""

    search = serializers.CharField(required=False, allow_blank=True, max_length=100)
