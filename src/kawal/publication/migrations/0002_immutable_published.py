"""The database itself refuses to change or delete a published release.

The model and the services refuse too; this trigger is the guard for everything that bypasses
them (``QuerySet.update``, raw SQL, a console). SQLite guards updates only: Django's test flush
empties tables with DELETE there, while PostgreSQL's flush uses TRUNCATE, which fires no row
trigger.
"""

from django.db import migrations

MESSAGE = "published releases are immutable"

SQLITE = [
    f"""
    CREATE TRIGGER publication_release_frozen_update
    BEFORE UPDATE ON publication_release
    WHEN OLD.status = 'published'
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;
    """,
]
SQLITE_UNDO = ["DROP TRIGGER IF EXISTS publication_release_frozen_update;"]

POSTGRES = [
    f"""
    CREATE OR REPLACE FUNCTION publication_release_frozen() RETURNS trigger AS $$
    BEGIN
        IF OLD.status = 'published' THEN
            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER publication_release_frozen
    BEFORE UPDATE OR DELETE ON publication_release
    FOR EACH ROW EXECUTE FUNCTION publication_release_frozen();
    """,
]
POSTGRES_UNDO = [
    "DROP TRIGGER IF EXISTS publication_release_frozen ON publication_release;",
    "DROP FUNCTION IF EXISTS publication_release_frozen();",
]


def forwards(apps, schema_editor):
    statements = POSTGRES if schema_editor.connection.vendor == "postgresql" else SQLITE
    if schema_editor.connection.vendor not in ("postgresql", "sqlite"):
        return
    for statement in statements:
        schema_editor.execute(statement)


def backwards(apps, schema_editor):
    statements = POSTGRES_UNDO if schema_editor.connection.vendor == "postgresql" else SQLITE_UNDO
    if schema_editor.connection.vendor not in ("postgresql", "sqlite"):
        return
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("publication", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
