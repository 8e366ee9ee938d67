"""A GIN trigram index on the post title for similar posts while a title is typed (feedback/similar.py), on
PostgreSQL only; the full-text part uses the existing "feedback_search" index (0003)."""

from django.contrib.postgres.indexes import GinIndex
from django.db import migrations


def title_index() -> GinIndex:
    return GinIndex(fields=["title"], opclasses=["gin_trgm_ops"], name="feedback_title_trgm")


def add_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("feedback", "Feedback"), title_index())


def remove_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("feedback", "Feedback"), title_index())


class Migration(migrations.Migration):
    dependencies = [("feedback", "0006_post_edits_and_withdrawals"), ("movements", "0007_similar_search")]

    operations = [migrations.RunPython(add_index, remove_index)]
