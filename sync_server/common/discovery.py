"""Find route lists in our apps, so a new app plugs in with one INSTALLED_APPS line."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.apps import apps


def collect_from_apps(module_name: str, attribute: str) -> list[Any]:
    """Concatenate `<app>.<module_name>.<attribute>` over the installed `sync_server` apps."""
    found: list[Any] = []
    for app_config in apps.get_app_configs():
        if not app_config.name.startswith("sync_server."):
            continue
        dotted = f"{app_config.name}.{module_name}"
        try:
            module = import_module(dotted)
        except ModuleNotFoundError as error:
            if error.name != dotted:
                raise
            continue
        found.extend(getattr(module, attribute, []))
    return found
