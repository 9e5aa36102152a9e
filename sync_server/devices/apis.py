"""Pairing endpoints (code for a terminal, code for credentials), the device-aware refresh and
what a paired till downloads besides the feed (the receipt logo)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from pydantic import ValidationError
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.tokens import RefreshToken

from shared.protocol import (
    ErrorV1,
    PairRequestV1,
    PairResponseV1,
    TokenPairV1,
    error_from_validation,
)
from sync_server.accounts.apis import RefreshInput
from sync_server.accounts.apis import TokenRefreshApi as UserTokenRefreshApi
from sync_server.accounts.throttling import check_pair_allowed
from sync_server.common.apis import TenantApi
from sync_server.common.error_codes import CommonErrorCode
from sync_server.devices import schema as _schema  # noqa: F401  (registers the scheme)
from sync_server.devices import services
from sync_server.devices.auth import Device, DeviceJWTAuthentication, is_device_token
from sync_server.devices.error_codes import DeviceErrorCode
from sync_server.tenants.models import Tenant, TerminalKind
from sync_server.tenants.selectors import receipt_logo_bytes, terminal_list


def validation_error_response(error: ValidationError, *, prefix: str = "") -> Response:
    """A pydantic complaint as the API's 400 error shape."""
    body = error_from_validation(error, prefix=prefix).model_dump(mode="json")
    return Response(body, status=status.HTTP_400_BAD_REQUEST)


class PairingCodeApi(TenantApi):
    """POST: a one-time pairing code for this terminal, valid ten minutes (owner, admin)."""

    resource = "terminals"  # POST is "create" on terminals: owners and admins only

    class OutputSerializer(serializers.Serializer[Any]):
        code = serializers.CharField()
        expires_at = serializers.DateTimeField()
        terminal_id = serializers.UUIDField()

    @extend_schema(
        operation_id="terminals_pairing_code", request=None, responses={201: OutputSerializer}
    )
    def post(self, request: Request, tenant_slug: str, pk: Any) -> Response:
        terminal = terminal_list(tenant=self.current_tenant).filter(pk=pk).first()
        if terminal is None:
            raise exceptions.NotFound("no such terminal")
        issued = services.pairing_code_create(
            tenant=self.current_tenant, terminal=terminal, created_by=self.actor.id
        )
        body = {"code": issued.code, "expires_at": issued.expires_at, "terminal_id": terminal.id}
        return Response(self.OutputSerializer(body).data, status=status.HTTP_201_CREATED)


class PairApi(APIView):
    """POST PairRequestV1 -> PairResponseV1: a device's credentials for a one-time code."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="device_pair",
        request=PairRequestV1,
        responses={200: PairResponseV1, 400: ErrorV1, 429: ErrorV1},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        check_pair_allowed(request)
        try:
            pair_request = PairRequestV1.model_validate(request.data)
        except ValidationError as error:
            return validation_error_response(error)
        paired = services.device_pair(
            code=pair_request.code,
            device_name=pair_request.device_name,
            app_version=pair_request.app_version,
            device_kind=pair_request.device_kind,
        )
        return Response(paired.model_dump(mode="json"))


class TokenRefreshApi(UserTokenRefreshApi):
    """POST {refresh} -> {access, refresh} for users and paired devices alike (rotating)."""

    @extend_schema(
        operation_id="auth_token_refresh", request=RefreshInput, responses=TokenPairV1, auth=[]
    )
    def post(self, request: Request) -> Response:
        serializer = RefreshInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        raw = serializer.validated_data["refresh"]
        try:
            # Unverified only to route: each path below verifies the token in full.
            routed = RefreshToken(raw, verify=False)
            if not is_device_token(routed):
                return super().post(request)
            refresh = services.DeviceRefreshToken(raw)
        except TokenError as error:
            raise InvalidToken(str(error)) from error
        return Response(services.device_refresh(refresh=refresh))


class DeviceTenantAccess(BasePermission):
    """The URL's tenant must be the device's own (403 otherwise), and of an allowed kind."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        device = request.user
        if not isinstance(device, Device):
            return False
        # A device knows its tenant: any other slug, existing or not, is a plain 403.
        if view.kwargs.get("tenant_slug") != device.tenant_slug or device.tenant is None:
            raise exceptions.PermissionDenied(
                "this is not your tenant", code=CommonErrorCode.TENANT_MISMATCH
            )
        view.tenant = device.tenant
        kinds: frozenset[str] = getattr(view, "device_kinds", frozenset())
        if device.kind not in kinds:
            raise exceptions.PermissionDenied(
                f"a {device.kind} device may not call this", code=DeviceErrorCode.DEVICE_KIND
            )
        return True


class DeviceTenantApi(APIView):
    """Base of `/api/<tenant_slug>/sync/...` views called by paired devices.

    No request-wide transaction: each service opens its own `tenant_atomic` per item.
    """

    authentication_classes = [DeviceJWTAuthentication]
    permission_classes = [IsAuthenticated, DeviceTenantAccess]
    device_kinds: ClassVar[frozenset[str]] = frozenset({TerminalKind.TERMINAL})
    tenant: Tenant | None = None

    @property
    def device(self) -> Device:
        assert isinstance(self.request.user, Device)
        return self.request.user

    @property
    def current_tenant(self) -> Tenant:
        assert self.tenant is not None
        return self.tenant


class ReceiptLogoApi(DeviceTenantApi):
    """GET: the tenant's receipt logo (PNG) by its SHA-256, for the tenant's own tills.

    The device's token names its tenant, so the logo it gets is always its own business's:
    another business's hash, an older logo or none at all is a plain 404. The bytes never
    change under one hash, so the answer may be cached for good.
    """

    @extend_schema(
        operation_id="receipt_logo",
        responses={
            (200, "image/png"): OpenApiResponse(description="the logo as a PNG"),
            404: ErrorV1,
        },
    )
    def get(self, request: Request, tenant_slug: str, sha256: str) -> HttpResponse:
        png = receipt_logo_bytes(tenant=self.current_tenant, sha256=sha256)
        if png is None:
            raise exceptions.NotFound("this business has no receipt logo with that hash")
        answer = HttpResponse(png, content_type="image/png")
        answer["Cache-Control"] = "private, max-age=31536000, immutable"
        return answer
