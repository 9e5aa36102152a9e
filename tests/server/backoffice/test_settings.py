"""Settings page: the tenant settings API's rules and service, typed as per cent and money;
owners and admins save, managers only read."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from sync_server.tenants.models import Tenant
from tests.server.backoffice.conftest import post_form

pytestmark = pytest.mark.django_db

PAGE = "/backoffice/settings/"


def _form(**changes: str) -> dict[str, Any]:
    values = {
        "name": "Demo Café",
        "time_zone": "Asia/Jakarta",
        "locale": "id_ID",
        "prices_include_tax": "on",
        "service_charge": "5",
        "service_charge_taxed": "on",
        "cash_rounding": "Rp 500",
        "approval_threshold": "15",
        "receipt_header": "Terima kasih",
        "receipt_footer": "Sampai jumpa",
        "tax_id": "01.234.567.8-901.000",
        "address": "Jl. Sudirman 1",
    }
    return {key: value for key, value in {**values, **changes}.items() if value != "-"}


def _post(client: Client, data: dict[str, Any]) -> Any:
    return post_form(client, PAGE, data)


def test_the_owner_saves_every_setting_in_the_apis_units(
    browser: Callable[[str], Client], demo_tenant: Tenant
) -> None:
    client = browser("demo.owner")
    page = client.get(PAGE)
    assert page.status_code == 200 and b"IDR" in page.content
    version = demo_tenant.version
    answer = _post(client, _form(service_charge="-", receipt_footer="Sampai jumpa lagi"))
    assert answer.status_code == 302, answer.content[:3000]
    demo_tenant.refresh_from_db()
    assert demo_tenant.service_charge_bp == 0 and demo_tenant.service_charge_taxed
    assert demo_tenant.cash_rounding_step_minor == 500
    assert demo_tenant.approval_discount_threshold_bp == 1_500
    assert demo_tenant.receipt_footer == "Sampai jumpa lagi" and demo_tenant.prices_include_tax
    assert demo_tenant.version > version  # the tills' next pull carries it
    answer = _post(client, _form(service_charge="7,5", prices_include_tax="-"))
    assert answer.status_code == 302
    demo_tenant.refresh_from_db()
    assert demo_tenant.service_charge_bp == 750 and not demo_tenant.prices_include_tax


def test_bad_values_name_their_field_and_change_nothing(
    browser: Callable[[str], Client], demo_tenant: Tenant
) -> None:
    client = browser("demo.owner")
    before = (demo_tenant.locale, demo_tenant.cash_rounding_step_minor, demo_tenant.name)
    for changes, field in [
        ({"locale": "xx_NOPE"}, "locale"),
        ({"cash_rounding": "0"}, "cash_rounding"),
        ({"service_charge": "150"}, "service_charge"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"name": ""}, "name"),
    ]:
        answer = _post(client, _form(**changes))
        assert answer.status_code == 400, changes
        assert f'data-testid="error-{field}"'.encode() in answer.content, changes
    demo_tenant.refresh_from_db()
    assert (demo_tenant.locale, demo_tenant.cash_rounding_step_minor, demo_tenant.name) == before


def test_a_manager_reads_the_settings_but_may_not_save(
    browser: Callable[[str], Client], demo_tenant: Tenant
) -> None:
    client = browser("demo.manager")
    page = client.get(PAGE)
    assert page.status_code == 200 and b'data-testid="save-settings"' not in page.content
    refused = _post(client, _form(name="Taken over"))
    assert refused.status_code == 403
    demo_tenant.refresh_from_db()
    assert demo_tenant.name != "Taken over"
