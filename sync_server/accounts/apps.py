"""App config of users, roles and authentication."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Custom user model (`accounts.User`), JWT auth and permissions."""

    name = "sync_server.accounts"
    label = "accounts"
