"""Tickets keep the sale's time at the till, so a ticket made after an outage is timed from it."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("kitchen", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="kitchenticket",
            name="ordered_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
