from django.db import migrations

PG_CODE_INDEX = "item_code_ids_pg_idx"


def add_pg_code_index(apps, schema_editor):
    """PostgreSQL only: the default sort (by code) pages from the index alone, ids included.

    SQLite keeps the row id in every index already; there the unique (campaign, code) index serves.
    """
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{PG_CODE_INDEX}" ON "ledger_item" ("campaign_id", "code") INCLUDE ("id")'
        )


def drop_pg_code_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'DROP INDEX IF EXISTS "{PG_CODE_INDEX}"')


class Migration(migrations.Migration):
    dependencies = [("ledger", "0007_item_covering_indexes")]

    operations = [migrations.RunPython(add_pg_code_index, drop_pg_code_index)]
