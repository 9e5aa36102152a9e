"""Staff pages: add a user, change role and outlet, set or reset a PIN, deactivate.

Writes go through the accounts services the API uses (role-rank rules included) after the API's
own UserInput has checked the fields. A PIN or password is only ever hashed by the service:
never put back into a form, never logged (sensitive_post_parameters hides them in reports).
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters
from rest_framework import exceptions

from shared.errors import ShapedError
from sync_server.accounts import services
from sync_server.accounts.apis import TENANT_ROLES, UserInput
from sync_server.accounts.models import Role, User
from sync_server.accounts.permissions import can_manage_role, is_allowed
from sync_server.backoffice.access import Desk, backoffice_page
from sync_server.backoffice.catalog import show_serializer_errors
from sync_server.tenants.models import Outlet

SECRETS = ("password", "pin")
hide_secrets = sensitive_post_parameters(*SECRETS)


class StaffForm(forms.Form):
    """A user's fields; blank PIN or password on an edit keeps the current one."""

    username = forms.CharField(label=gettext_lazy("Username"), max_length=150)
    full_name = forms.CharField(label=gettext_lazy("Name"), max_length=200, required=False)
    role = forms.ChoiceField(label=gettext_lazy("Role"))
    outlet = forms.ChoiceField(label=gettext_lazy("Outlet"), required=False)
    pin = forms.CharField(
        label=gettext_lazy("New PIN"),
        required=False,
        max_length=8,
        widget=forms.PasswordInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text=gettext_lazy("4 to 8 digits, for signing in on the tills. Blank: keep."),
    )
    password = forms.CharField(
        label=gettext_lazy("New password"),
        required=False,
        max_length=256,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=gettext_lazy("At least 8 characters, for the back office. Blank: keep."),
    )
    is_active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)

    def __init__(self, *args: Any, desk: Desk, user: User | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.desk = desk
        roles = [
            (role.value, role.label)
            for role in Role
            if role.value in TENANT_ROLES and can_manage_role(desk.user.role, role.value)
        ]
        if user is not None and (user.role, user.get_role_display()) not in roles:
            roles.append((user.role, user.get_role_display()))  # shown; the service refuses
        self._choices("role", roles)
        outlets = Outlet.objects.filter(tenant=desk.tenant).order_by("name")
        if desk.outlet_id is not None:
            outlets = outlets.filter(id=desk.outlet_id)
            self._choices("outlet", [(str(o.id), o.name) for o in outlets])
        else:
            self._choices("outlet", [("", "—")] + [(str(o.id), o.name) for o in outlets])
        if user is not None:
            self.fields["username"].disabled = True

    def _choices(self, name: str, choices: list[tuple[str, str]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices

    def input_data(self, *, creating: bool) -> dict[str, Any] | None:
        """What UserInput reads (secrets only when typed), or None with the form's errors."""
        if not self.is_valid():
            return None
        data = self.cleaned_data
        # A manager's staff stay at the manager's outlet, whatever was posted.
        held = self.desk.outlet_id
        raw: dict[str, Any] = {
            "full_name": data.get("full_name") or "",
            "role": data["role"],
            "outlet": str(held) if held else data.get("outlet") or None,
            "is_active": bool(data.get("is_active")),
        }
        if creating:
            raw["username"] = data["username"].strip()
        for secret in SECRETS:
            if data.get(secret):
                raw[secret] = data[secret]
        return raw


def _checked(desk: Desk, form: StaffForm, raw: dict[str, Any], *, partial: bool) -> Any:
    serializer = UserInput(
        data=raw, partial=partial, context={"role": desk.user.role, "tenant": desk.tenant}
    )
    if serializer.is_valid():
        return dict(serializer.validated_data)
    show_serializer_errors(form, serializer.errors)
    return None


def _write(form: StaffForm, write: Any) -> User | None:
    """Run a service call; rank refusals and a taken username become form errors."""
    try:
        with transaction.atomic():
            return write()  # type: ignore[no-any-return]
    except exceptions.APIException as error:
        form.add_error("role", str(error.detail))
    except ShapedError as error:
        form.add_error("role", error.message)
    except IntegrityError:
        form.add_error("username", _("This username is taken."))
    return None


def _staff_member(desk: Desk, pk: uuid.UUID) -> User:
    """A user of the shown tenant (a manager: of their outlet); anyone else is a 404."""
    users = User.objects.filter(tenant=desk.tenant)
    if desk.outlet_id is not None:
        users = users.filter(outlet_id=desk.outlet_id)
    return get_object_or_404(users, pk=pk)


@backoffice_page("users", "create", methods=("GET", "POST"))
def staff_create_page(request: HttpRequest, desk: Desk) -> HttpResponse:
    form = StaffForm(
        request.POST if request.method == "POST" else None,
        initial={"is_active": True, "role": Role.CASHIER.value, "outlet": desk.outlet_id},
        desk=desk,
        user=None,
    )
    if request.method == "POST":
        raw = form.input_data(creating=True)
        fields = _checked(desk, form, raw, partial=False) if raw is not None else None
        if fields is not None:
            created = _write(
                form,
                lambda: services.user_create(tenant=desk.tenant, actor=desk.user, **fields),
            )
            if created is not None:
                return redirect("backoffice:staff")
    status = 400 if form.is_bound else 200
    return render(
        request,
        "backoffice/staff/form.html",
        {"form": form, "member": None, "nav": "staff"},
        status=status,
    )


@backoffice_page("users", "retrieve", methods=("GET", "POST"))
def staff_edit_page(request: HttpRequest, desk: Desk, pk: uuid.UUID) -> HttpResponse:
    """One user; saving is the `users update` cell and the services' rank rules."""
    member = _staff_member(desk, pk)
    may_update = is_allowed(desk.user.role, "users", "update") and can_manage_role(
        desk.user.role, member.role
    )
    form = StaffForm(
        request.POST if request.method == "POST" else None,
        initial={
            "username": member.username,
            "full_name": member.full_name,
            "role": member.role,
            "outlet": str(member.outlet_id or ""),
            "is_active": member.is_active,
        },
        desk=desk,
        user=member,
    )
    status = 200
    if request.method == "POST":
        status = 400
        raw = form.input_data(creating=False) if may_update else None
        if not may_update:
            form.add_error(None, _("Your role may not change this user."))
            status = 403
        fields = _checked(desk, form, raw, partial=True) if raw is not None else None
        if fields is not None:
            saved = _write(
                form,
                lambda: services.user_update(
                    tenant=desk.tenant, actor=desk.user, user=member, **fields
                ),
            )
            if saved is not None:
                return redirect("backoffice:staff")
    return render(
        request,
        "backoffice/staff/form.html",
        {"form": form, "member": member, "may_update": may_update, "nav": "staff"},
        status=status,
    )


@backoffice_page("users", "update", methods=("POST",))
def staff_deactivate_page(request: HttpRequest, desk: Desk, pk: uuid.UUID) -> HttpResponse:
    """Deactivate (or reactivate) a user: their PIN stops working at the tills' next pull."""
    member = _staff_member(desk, pk)
    active = request.POST.get("active") == "1"
    form = StaffForm(None, desk=desk, user=member)
    saved = _write(
        form,
        lambda: services.user_update(
            tenant=desk.tenant, actor=desk.user, user=member, is_active=active
        ),
    )
    if saved is None:
        return render(
            request,
            "backoffice/forbidden.html",
            {"message": " ".join(str(e) for e in form.errors.get("role", []))},
            status=403,
        )
    return redirect("backoffice:staff")


staff_create_page = hide_secrets(staff_create_page)
staff_edit_page = hide_secrets(staff_edit_page)
