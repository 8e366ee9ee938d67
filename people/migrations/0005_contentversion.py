"""Content versions: a table and the trigger function that bumps a name in it (socialbiz/versions.py)."""

from django.db import migrations, models

# A statement-level trigger's arguments are the names it bumps. A name not there yet starts at the clock's
# microseconds, never at a small number an old cache entry may still carry (e.g. after a test's flush).
FUNCTION = """
CREATE OR REPLACE FUNCTION content_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    version_name text;
BEGIN
    FOREACH version_name IN ARRAY TG_ARGV LOOP
        INSERT INTO people_contentversion (name, value)
        VALUES (version_name, (extract(epoch FROM clock_timestamp()) * 1000000)::bigint)
        ON CONFLICT (name) DO UPDATE SET value = people_contentversion.value + 1;
    END LOOP;
    RETURN NULL;
END
$$;
"""


def create_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION)


def drop_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS content_version_bump() CASCADE")


class Migration(migrations.Migration):
    dependencies = [("people", "0004_person_language")]

    operations = [
        migrations.CreateModel(
            name="ContentVersion",
            fields=[
                ("name", models.CharField(max_length=40, primary_key=True, serialize=False)),
                ("value", models.BigIntegerField(default=0)),
            ],
        ),
        migrations.RunPython(create_function, drop_function),
    ]
