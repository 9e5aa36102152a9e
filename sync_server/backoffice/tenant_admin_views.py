"""Super admin pages: register a business with its first owner, suspend or resume a business.

They run in the platform scope (a super admin's own rows), like the tenant picker; the new
owner is written inside the new tenant's scope, in the same transaction as the tenant, so a
refused owner leaves no tenant behind. A suspended business keeps every row: its users and
devices are refused (devices with a 403 `tenant_suspended`) until it is resumed.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from rest_framework import exceptions

from sync_server.accounts import services as account_services
from sync_server.accounts.apis import UserInput
from sync_server.accounts.models import Role, User
from sync_server.backoffice.access import LANGUAGES, forbidden
from sync_server.backoffice.audit import PLATFORM_USER
from sync_server.backoffice.auth import LANGUAGE_SESSION_KEY, session_scope, signed_in_user
from sync_server.backoffice.catalog import show_serializer_errors
from sync_server.common.tenancy import platform_atomic, tenant_atomic
from sync_server.tenants import services as tenant_services
from sync_server.tenants.apis import TenantInput
from sync_server.tenants.selectors import tenant_by_slug

PlatformPage = Callable[..., HttpResponse]  # (request, super admin, **url_kwargs)


class _Refused(Exception):
    """Roll the platform transaction back: the form carries the errors."""


def platform_page(*methods: str) -> Callable[[PlatformPage], Callable[..., HttpResponse]]:
    """A super admin's page in the platform scope (others: sign-in or 403), CSRF on POST."""

    def decorator(page: PlatformPage) -> Callable[..., HttpResponse]:
        @wraps(page)
        def view(request: HttpRequest, **kwargs: Any) -> HttpResponse:
            scope = session_scope(request)
            if scope is None:
                return redirect("backoffice:login")
            with platform_atomic() if scope.tenant_id is None else tenant_atomic(scope.tenant_id):
                user = signed_in_user(request, scope)
            if user is None:
                return redirect("backoffice:login")
            language = request.session.get(LANGUAGE_SESSION_KEY, "en")
            with translation.override(language if language in LANGUAGES else "en"):
                if not user.is_super_admin:
                    return forbidden(request, _("Your role may not open this page."))
                setattr(request, PLATFORM_USER, user)  # the audit log's author
                return page(request, user, **kwargs)

        return require_http_methods(list(methods))(csrf_protect(view))

    return decorator


class TenantCreateForm(forms.Form):
    slug = forms.SlugField(
        label=gettext_lazy("Slug"),
        max_length=63,
        help_text=gettext_lazy("In the tills' server address: /api/<slug>/."),
    )
    name = forms.CharField(label=gettext_lazy("Business name"), max_length=200)
    currency = forms.RegexField(
        label=gettext_lazy("Currency"), regex=r"^[A-Z]{3}$", max_length=3, initial="IDR"
    )
    time_zone = forms.ChoiceField(label=gettext_lazy("Time zone"), initial="Asia/Jakarta")
    owner_username = forms.CharField(label=gettext_lazy("Owner's username"), max_length=150)
    owner_full_name = forms.CharField(
        label=gettext_lazy("Owner's name"), max_length=200, required=False
    )
    owner_password = forms.CharField(
        label=gettext_lazy("Owner's password"),
        min_length=8,
        max_length=256,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        zone = self.fields["time_zone"]
        assert isinstance(zone, forms.ChoiceField)
        zone.choices = [(name, name) for name in sorted(zoneinfo.available_timezones())]


def _register(actor: User, form: TenantCreateForm) -> bool:
    """The tenant (TenantInput, tenant_create) and its owner (UserInput, user_create), both or
    neither."""
    data = form.cleaned_data
    tenant_input = TenantInput(
        data={key: data[key] for key in ("slug", "name", "currency", "time_zone")}
    )
    if not tenant_input.is_valid():
        show_serializer_errors(form, tenant_input.errors)
        return False
    try:
        with platform_atomic():
            if tenant_by_slug(slug=data["slug"]) is not None:
                form.add_error("slug", _("Another business has this slug."))
                raise _Refused
            tenant = tenant_services.tenant_create(**tenant_input.validated_data)
            with tenant_atomic(tenant):
                owner_input = UserInput(
                    data={
                        "username": data["owner_username"],
                        "full_name": data.get("owner_full_name") or "",
                        "role": Role.OWNER.value,
                        "password": data["owner_password"],
                    },
                    context={"role": actor.role, "tenant": tenant},
                )
                if not owner_input.is_valid():
                    show_serializer_errors(
                        form,
                        owner_input.errors,
                        {"username": "owner_username", "password": "owner_password"},
                    )
                    raise _Refused
                account_services.user_create(
                    tenant=tenant, actor=actor, **owner_input.validated_data
                )
    except _Refused:
        return False
    except IntegrityError:
        form.add_error("owner_username", _("This username is taken."))
        return False
    except exceptions.APIException as error:
        form.add_error(None, str(error.detail))
        return False
    return True


@sensitive_post_parameters("owner_password")
@platform_page("GET", "POST")
def tenant_create_page(request: HttpRequest, user: User) -> HttpResponse:
    form = TenantCreateForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid() and _register(user, form):
            return redirect("backoffice:tenants")
        status = 400
    return render(request, "backoffice/tenant_admin/new.html", {"form": form}, status=status)


@platform_page("POST")
def tenant_suspend_page(request: HttpRequest, user: User, slug: str) -> HttpResponse:
    """Suspend (`active=0`) or resume (`active=1`) a business; nothing is deleted."""
    tenant = tenant_by_slug(slug=slug)  # the registry is read before any scope
    if tenant is None:
        raise Http404("no such tenant")
    # In the tenant's own scope, so the change lands in its audit log.
    with tenant_atomic(tenant):
        tenant_services.tenant_update(tenant=tenant, is_active=request.POST.get("active") == "1")
    return redirect("backoffice:tenants")
