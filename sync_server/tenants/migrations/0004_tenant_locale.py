"""Tenants carry the locale their money is shown in; existing ones get their currency's."""

from typing import Any

from django.db import migrations, models

from shared.money import default_locale


def fill_locales(apps: Any, schema_editor: Any) -> None:
    # The migration's own connection (the table owner's): another one would wait on its lock.
    alias = schema_editor.connection.alias
    Tenant = apps.get_model("tenants", "Tenant")
    for tenant in Tenant.objects.using(alias).filter(locale=""):
        tenant.locale = default_locale(tenant.currency)
        tenant.save(using=alias, update_fields=["locale"])


class Migration(migrations.Migration):
    dependencies = [
        ("tenants", "0003_tenant_service_charge_taxed_approval_threshold"),
    ]

    operations = [
        migrations.AddField(
            model_name="tenant",
            name="locale",
            field=models.CharField(default="", max_length=16),
        ),
        migrations.RunPython(fill_locales, migrations.RunPython.noop),
    ]
