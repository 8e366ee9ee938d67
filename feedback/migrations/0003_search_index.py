"""The full-text search index, on PostgreSQL only (SQLite, the one-machine demo, searches with icontains).

It indexes exactly the expression feedback.selectors._search builds, so the planner uses it.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

INDEX_NAME = "feedback_search"


def search_index() -> GinIndex:
    return GinIndex(
        SearchVector("title", weight="A", config="english") + SearchVector("body", weight="B", config="english"),
        name=INDEX_NAME,
    )


def add_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("feedback", "Feedback"), search_index())


def remove_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("feedback", "Feedback"), search_index())


class Migration(migrations.Migration):
    dependencies = [("feedback", "0002_initial")]

    operations = [migrations.RunPython(add_index, remove_index)]
