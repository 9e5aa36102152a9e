"""Tenants may have a receipt logo (a PNG the server made) and its SHA-256 for the tills."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tenants", "0004_tenant_locale"),
    ]

    operations = [
        migrations.AddField(
            model_name="tenant",
            name="receipt_logo",
            field=models.ImageField(blank=True, default="", upload_to="receipt-logos/"),
        ),
        migrations.AddField(
            model_name="tenant",
            name="receipt_logo_sha256",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
    ]
