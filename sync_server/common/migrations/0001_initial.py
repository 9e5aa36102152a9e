"""The version counter: a PostgreSQL sequence + bump trigger function, or a counter row on SQLite."""

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from sync_server.common.rls import BUMP_VERSION_FUNCTION


def create_counter(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE SEQUENCE IF NOT EXISTS kiosk_version_seq AS bigint")
        schema_editor.execute(BUMP_VERSION_FUNCTION)
    else:
        apps.get_model("common", "VersionCounter").objects.get_or_create(
            id=1, defaults={"value": 0}
        )


def drop_counter(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS kiosk_bump_version()")
        schema_editor.execute("DROP SEQUENCE IF EXISTS kiosk_version_seq")


class Migration(migrations.Migration):
    initial = True
    dependencies: list[tuple[str, str]] = []

    operations = [
        migrations.CreateModel(
            name="VersionCounter",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("value", models.BigIntegerField(default=0)),
            ],
        ),
        migrations.RunPython(create_counter, drop_counter),
    ]
