"""The custom user: a role, a tenant (none for super admins), an optional outlet, a PIN hash."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.hashers import PBKDF2PasswordHasher, check_password, make_password
from django.db import models
from django.db.models import Q

from sync_server.common.tenancy import LiveTenantManager, TenantOwnedModel


class Role(models.TextChoices):
    SUPER_ADMIN = "super_admin", "Super admin"
    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    MANAGER = "manager", "Manager"
    CASHIER = "cashier", "Cashier"
    KITCHEN = "kitchen", "Kitchen"


class PinHasher(PBKDF2PasswordHasher):
    """pbkdf2_sha256 with the PIN round count: terminals re-check it offline with hashlib."""

    iterations = settings.KIOSK_PIN_ITERATIONS


class UserManager(LiveTenantManager["User"]):
    """Tenant-scoped like every tenant-owned manager, plus Django's natural-key lookup."""

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(username=username)

    def create_user(self, username: str, password: str | None = None, **fields: Any) -> User:
        user = User(username=username, **fields)
        user.set_password(password)
        user.save()
        return user


class User(AbstractBaseUser, TenantOwnedModel):
    """A person who signs in. Usernames are unique across all tenants (login precedes a tenant)."""

    tenant = models.ForeignKey(  # type: ignore[assignment]
        "tenants.Tenant", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    username = models.CharField(max_length=150, unique=True)
    full_name = models.CharField(max_length=200, blank=True, default="")
    role = models.CharField(max_length=16, choices=Role.choices)
    outlet = models.ForeignKey(
        "tenants.Outlet", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    pin_hash = models.CharField(max_length=256, blank=True, default="")
    is_active = models.BooleanField(default=True)

    allows_platform_rows: ClassVar[bool] = True
    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "username"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["role"]

    class Meta:
        ordering = ["username"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(role="super_admin") & Q(tenant__isnull=True))
                | (~Q(role="super_admin") & Q(tenant__isnull=False)),
                name="user_super_admin_iff_no_tenant",
            )
        ]

    def __str__(self) -> str:
        return self.username

    @property
    def is_super_admin(self) -> bool:
        return self.role == Role.SUPER_ADMIN

    def set_pin(self, pin: str | None) -> None:
        """Hash a PIN as `pbkdf2_sha256$iterations$salt$b64hash` (empty: no PIN login)."""
        self.pin_hash = make_password(pin, hasher=PinHasher()) if pin else ""

    def check_pin(self, pin: str) -> bool:
        return bool(self.pin_hash) and check_password(pin, self.pin_hash)
