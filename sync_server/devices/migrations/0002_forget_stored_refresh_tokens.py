"""The revocation table keeps only jti and expiry: blank the refresh tokens and users it held."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("devices", "0001_initial"),
        ("token_blacklist", "0013_alter_blacklistedtoken_options_and_more"),
    ]

    operations = [
        migrations.RunSQL(
            "UPDATE token_blacklist_outstandingtoken SET token = '', user_id = NULL"
            " WHERE token <> '' OR user_id IS NOT NULL",
            migrations.RunSQL.noop,
        ),
    ]
