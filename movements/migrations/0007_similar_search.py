"""Similar movements while a title is typed (movements/similar.py), on PostgreSQL only.

pg_trgm for word similarity on the title, a GIN trigram index on the title and a GIN full-text index on exactly
the expression movements.similar builds (title A, problem B, use cases C), so the planner uses both.
SQLite (the one-machine demo) gets neither and searches with icontains.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.operations import TrigramExtension
from django.contrib.postgres.search import SearchVector
from django.db import migrations


def indexes() -> list[GinIndex]:
    return [
        GinIndex(fields=["title"], opclasses=["gin_trgm_ops"], name="movement_title_trgm"),
        GinIndex(
            SearchVector("title", weight="A", config="english")
            + SearchVector("problem", weight="B", config="english")
            + SearchVector("use_cases", weight="C", config="english"),
            name="movement_search",
        ),
    ]


def add_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for index in indexes():
            schema_editor.add_index(apps.get_model("movements", "Movement"), index)


def remove_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for index in indexes():
            schema_editor.remove_index(apps.get_model("movements", "Movement"), index)


class Migration(migrations.Migration):
    dependencies = [("movements", "0006_update_edits_and_invitation_states")]

    operations = [TrigramExtension(), migrations.RunPython(add_indexes, remove_indexes)]
