"""What drove the success / what got in the way (`cause`), on posts and on queued anonymous posts, and searchable:
the full-text index "feedback_search" is rebuilt over title (A), body (B) and cause (C), exactly the expression
feedback.selectors._search and feedback.similar build (PostgreSQL only, as in 0003)."""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations, models

INDEX_NAME = "feedback_search"


def old_index() -> GinIndex:
    return GinIndex(
        SearchVector("title", weight="A", config="english") + SearchVector("body", weight="B", config="english"),
        name=INDEX_NAME,
    )


def new_index() -> GinIndex:
    return GinIndex(
        SearchVector("title", weight="A", config="english")
        + SearchVector("body", weight="B", config="english")
        + SearchVector("cause", weight="C", config="english"),
        name=INDEX_NAME,
    )


def swap(old, new):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            model = apps.get_model("feedback", "Feedback")
            schema_editor.remove_index(model, old())
            schema_editor.add_index(model, new())

    return run


class Migration(migrations.Migration):
    dependencies = [("feedback", "0007_similar_search")]

    operations = [
        migrations.AddField(
            model_name="anonymousqueueentry",
            name="cause",
            field=models.TextField(blank=True, default="", max_length=2000),
        ),
        migrations.AddField(
            model_name="feedback",
            name="cause",
            field=models.TextField(
                blank=True, db_default="", default="", max_length=2000, verbose_name="what drove it or got in the way"
            ),
        ),
        migrations.RunPython(swap(old_index, new_index), swap(new_index, old_index)),
    ]
