"""Who may open a back-office page: sign-in, role, tenant, outlet, and the page's transaction.

Every page is a function `(request, desk, **url_kwargs) -> HttpResponse` wrapped by
`backoffice_page(resource, action)`: the permission matrix of the API decides the cell, the page
runs inside `tenant_atomic` of the tenant it shows (RLS on), under the tenant's time zone and
the user's language, and answers before the transaction ends (nothing lazy escapes it).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, Concatenate, ParamSpec

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods

from shared.money import Money, default_locale, format_money
from sync_server.accounts.models import Role, User
from sync_server.accounts.permissions import is_allowed
from sync_server.backoffice.auth import (
    LANGUAGE_SESSION_KEY,
    TENANT_CHOICE_SESSION_KEY,
    session_scope,
    sign_out,
    signed_in_user,
)
from sync_server.common.tenancy import tenant_atomic, tenant_atomic_joined
from sync_server.tenants.models import Tenant
from sync_server.tenants.selectors import tenant_by_slug

P = ParamSpec("P")
LANGUAGES = ("en", "id")


def may_use_backoffice(role: str) -> bool:
    """The back office is for the roles the matrix lets read orders (not cashiers, not kitchen)."""
    return is_allowed(role, "orders", "list")


def tenant_locale(tenant: Tenant) -> str:
    """The tenant's Babel locale (`id_ID`, `en_US`): money and default language follow it."""
    return tenant.locale or default_locale(tenant.currency)


def default_language(tenant: Tenant | None) -> str:
    """English or Indonesian, from the tenant's locale until the user picks one."""
    if tenant is not None and tenant_locale(tenant).lower().startswith("id"):
        return "id"
    return "en"


@dataclass(frozen=True)
class Desk:
    """What a page knows about its viewer: the user, the tenant shown, the outlet they are held to.

    `outlet_id` is None for roles that see every outlet; a manager is held to their own.
    """

    user: User
    tenant: Tenant
    outlet_id: uuid.UUID | None
    language: str

    @property
    def locale(self) -> str:
        return tenant_locale(self.tenant)

    def money(self, amount_minor: int) -> str:
        """An amount of the tenant's currency as its locale writes it (`Rp 25.000`)."""
        return format_money(Money(int(amount_minor), self.tenant.currency), self.locale)

    def outlet_allowed(self, outlet_id: uuid.UUID | None) -> bool:
        return self.outlet_id is None or outlet_id == self.outlet_id


PageView = Callable[Concatenate[HttpRequest, Desk, P], HttpResponse]


def forbidden(request: HttpRequest, message: str) -> HttpResponse:
    """The page a signed-in user sees where their role may not go (403)."""
    return render(request, "backoffice/forbidden.html", {"message": message}, status=403)


def _language(request: HttpRequest, tenant: Tenant | None) -> str:
    chosen = request.session.get(LANGUAGE_SESSION_KEY)
    return chosen if chosen in LANGUAGES else default_language(tenant)


def _shown_tenant(request: HttpRequest, user: User) -> Tenant | None:
    """The user's own tenant; for a super admin, the one they picked (None: not picked yet)."""
    if not user.is_super_admin:
        return user.tenant
    slug = request.session.get(TENANT_CHOICE_SESSION_KEY)
    return tenant_by_slug(slug=slug) if isinstance(slug, str) else None


def backoffice_page(
    resource: str, action: str, *, methods: tuple[str, ...] = ("GET",)
) -> Callable[[PageView[P]], Callable[..., HttpResponse]]:
    """Wrap a page: signed in (else to the sign-in form), a back-office role, the matrix cell
    `resource` x `action`, the tenant's transaction, language and time zone; CSRF on POST."""

    def decorator(page: PageView[P]) -> Callable[..., HttpResponse]:
        @wraps(page)
        def view(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
            scope = session_scope(request)
            if scope is None:
                return redirect_to_login(request.get_full_path(), reverse("backoffice:login"))
            with tenant_atomic(scope.tenant_id):
                user = signed_in_user(request, scope)
                if user is None:
                    sign_out(request)
                    return redirect_to_login(request.get_full_path(), reverse("backoffice:login"))
                tenant = _shown_tenant(request, user)
                language = _language(request, tenant)
                with translation.override(language):
                    if not may_use_backoffice(user.role):
                        return forbidden(request, _no_backoffice_message())
                    if tenant is None:
                        return redirect("backoffice:tenants")
                    if not is_allowed(user.role, resource, action):
                        return forbidden(request, _role_message())
                    outlet_id = user.outlet_id if user.role == Role.MANAGER else None
                    if user.role == Role.MANAGER and outlet_id is None:
                        return forbidden(request, _no_outlet_message())
                    desk = Desk(user=user, tenant=tenant, outlet_id=outlet_id, language=language)
                    with tenant_atomic_joined(tenant), timezone.override(tenant.time_zone):
                        request.backoffice_desk = desk  # type: ignore[attr-defined]
                        return page(request, desk, *args, **kwargs)

        return require_http_methods(list(methods))(csrf_protect(view))

    return decorator


def _no_backoffice_message() -> str:
    return gettext("The back office is for owners, admins and managers. Your role has no access.")


def _role_message() -> str:
    return gettext("Your role may not open this page.")


def _no_outlet_message() -> str:
    return gettext("Your account has no outlet yet. Ask the owner to assign one.")


def desk_of(request: HttpRequest) -> Desk | None:
    """The desk of a back-office page being rendered (for template tags)."""
    desk: Any = getattr(request, "backoffice_desk", None)
    return desk if isinstance(desk, Desk) else None
