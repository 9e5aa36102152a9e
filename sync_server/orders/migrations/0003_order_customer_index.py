"""A customer's order history reads through (tenant, customer, time), orders with a customer only."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0002_initial"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="order",
            index=models.Index(
                condition=models.Q(("customer_id__isnull", False)),
                fields=["tenant", "customer_id", "ordered_at"],
                name="order_tenant_customer_idx",
            ),
        ),
    ]
