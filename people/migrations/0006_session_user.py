"""Sessions name their person in a column, so a request reads its session and person in one query.

The column is added to Django's own `django_session` table in place (people.Session maps it, unmanaged):
no session moves, every live session stays valid, and web processes still running the previous code
keep reading and writing the same rows (theirs get no person; people/sessions.py then reads the person
with a query of its own until the session is next saved).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def add_column(apps, schema_editor):
    # SQLite (the demo) accepts REFERENCES with ADD COLUMN when the default is NULL.
    schema_editor.execute(
        "ALTER TABLE django_session ADD COLUMN user_id bigint NULL REFERENCES people_user (id) ON DELETE CASCADE"
        + (" DEFERRABLE INITIALLY DEFERRED" if schema_editor.connection.vendor == "postgresql" else "")
    )


def drop_column(apps, schema_editor):
    schema_editor.execute("ALTER TABLE django_session DROP COLUMN user_id")


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0005_contentversion"),
        ("sessions", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="Session",
            fields=[
                (
                    "session_key",
                    models.CharField(max_length=40, primary_key=True, serialize=False, verbose_name="session key"),
                ),
                ("session_data", models.TextField(verbose_name="session data")),
                ("expire_date", models.DateTimeField(db_index=True, verbose_name="expire date")),
                (
                    "user",
                    models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "db_table": "django_session",
                "managed": False,
                "abstract": False,
            },
        ),
        migrations.RunPython(add_column, drop_column),
    ]
