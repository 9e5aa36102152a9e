"""Auth endpoints (token, refresh, logout) and the tenant's users resource."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError

from sync_server.accounts import selectors, services
from sync_server.accounts.authentication import CredentialsOnly, scope_from_claims
from sync_server.accounts.backends import TenantScopedBackend
from sync_server.accounts.error_codes import AccountErrorCode
from sync_server.accounts.models import Role, User
from sync_server.accounts.throttling import (
    check_login_allowed,
    clear_login_failures,
    record_login_failure,
)
from sync_server.accounts.tokens import KioskRefreshToken
from sync_server.common.apis import (
    FilterSerializer,
    KioskApi,
    ResourceDetailMixin,
    ResourceListMixin,
    TenantApi,
)
from sync_server.common.serializers import (
    RoleAwareOutputSerializer,
    StrictBooleanField,
    StrictCharField,
    StrictInputSerializer,
    tenant_related,
)
from sync_server.common.tenancy import tenant_atomic
from sync_server.tenants.models import Outlet


class TokenPairOutput(serializers.Serializer[Any]):
    access = serializers.CharField()
    refresh = serializers.CharField()


class TokenObtainApi(APIView):
    """POST {username, password} -> {access, refresh}; repeated failures -> 429."""

    authentication_classes = [CredentialsOnly]
    permission_classes = [AllowAny]

    class InputSerializer(StrictInputSerializer):
        username = StrictCharField(max_length=150)
        password = StrictCharField(max_length=256, trim_whitespace=False)

    @extend_schema(request=InputSerializer, responses=TokenPairOutput, auth=[])
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        username = serializer.validated_data["username"]
        check_login_allowed(request, username)
        user = TenantScopedBackend().authenticate(
            request, username=username, password=serializer.validated_data["password"]
        )
        if user is None:
            record_login_failure(request, username)
            raise exceptions.AuthenticationFailed(
                "no active account with these credentials",
                code=AccountErrorCode.INVALID_CREDENTIALS,
            )
        clear_login_failures(request, username)
        return Response(TokenPairOutput(services.tokens_for_user(user)).data)


class RefreshInput(StrictInputSerializer):
    refresh = StrictCharField()


def _refresh_token(raw: str) -> KioskRefreshToken:
    try:
        return KioskRefreshToken(raw)  # type: ignore[arg-type]
    except TokenError as error:
        raise InvalidToken(str(error)) from error


class TokenRefreshApi(APIView):
    """POST {refresh} -> a new {access, refresh}; the old refresh token is blacklisted."""

    authentication_classes = [CredentialsOnly]
    permission_classes = [AllowAny]

    @extend_schema(request=RefreshInput, responses=TokenPairOutput, auth=[])
    def post(self, request: Request) -> Response:
        serializer = RefreshInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        refresh = _refresh_token(serializer.validated_data["refresh"])
        scope = scope_from_claims(refresh)
        user = selectors.user_in_scope(scope=scope, id=refresh.get("user_id"))
        if user is None or not user.is_active:
            raise exceptions.AuthenticationFailed(
                "account is gone or inactive", code=AccountErrorCode.USER_INACTIVE
            )
        with tenant_atomic(scope.tenant_id):
            refresh.blacklist()
            pair = services.tokens_for_user(user)
        return Response(TokenPairOutput(pair).data)


class LogoutApi(APIView):
    """POST {refresh}: blacklist the refresh token so it can no longer be used. 204."""

    authentication_classes = [CredentialsOnly]
    permission_classes = [AllowAny]

    @extend_schema(request=RefreshInput, responses={204: None}, auth=[])
    def post(self, request: Request) -> Response:
        serializer = RefreshInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        refresh = _refresh_token(serializer.validated_data["refresh"])
        with tenant_atomic(scope_from_claims(refresh).tenant_id):
            refresh.blacklist()
        return Response(status=status.HTTP_204_NO_CONTENT)


TENANT_ROLES = [role.value for role in Role if role != Role.SUPER_ADMIN]


class UserInput(StrictInputSerializer):
    username = StrictCharField(max_length=150)
    full_name = StrictCharField(max_length=200, required=False, allow_blank=True)
    role = serializers.ChoiceField(choices=TENANT_ROLES)
    outlet = tenant_related(Outlet.objects, allow_null=True, required=False)
    password = StrictCharField(min_length=8, max_length=256, write_only=True, required=False)
    pin = serializers.RegexField(r"^[0-9]{4,8}$", write_only=True, required=False)
    is_active = StrictBooleanField(required=False)


class UserOutput(RoleAwareOutputSerializer):
    resource = "users"

    class Meta:
        model = User
        fields = ["id", "username", "full_name", "role", "outlet", "is_active", "version"]


class UserFilter(FilterSerializer):
    role = serializers.ChoiceField(choices=TENANT_ROLES, required=False)


class _ActorServices(KioskApi):
    """User services check role rank, so they also get `actor=`."""

    def service_kwargs(self) -> dict[str, Any]:
        return {**super().service_kwargs(), "actor": self.actor}


class UserListApi(_ActorServices, ResourceListMixin, TenantApi):
    """GET: the tenant's users; POST: add a user of a lower role than yours."""

    resource = "users"
    InputSerializer = UserInput
    OutputSerializer = UserOutput
    FilterSerializer = UserFilter

    list_selector = selectors.user_list
    create_service = services.user_create


class UserDetailApi(_ActorServices, ResourceDetailMixin, TenantApi):
    """GET, PATCH, DELETE one user of the tenant (rank rules apply)."""

    resource = "users"
    InputSerializer = UserInput
    OutputSerializer = UserOutput

    detail_selector = selectors.user_list
    update_service = services.user_update
    delete_service = services.user_delete
    instance_argument = "user"
