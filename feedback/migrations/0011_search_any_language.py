"""Feedback search finds words in any language: the full-text index "feedback_search" holds the English
document (stemmed) and the `simple` one (words as written) side by side, exactly the expression
feedback.selectors.search_document builds (PostgreSQL only, as in 0003 and 0008)."""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

INDEX_NAME = "feedback_search"


def document(configs):
    result = None
    for config in configs:
        vector = (
            SearchVector("title", weight="A", config=config)
            + SearchVector("body", weight="B", config=config)
            + SearchVector("cause", weight="C", config=config)
        )
        result = vector if result is None else result + vector
    return result


def english_index() -> GinIndex:
    return GinIndex(document(["english"]), name=INDEX_NAME)


def any_language_index() -> GinIndex:
    return GinIndex(document(["english", "simple"]), name=INDEX_NAME)


def swap(old, new):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            model = apps.get_model("feedback", "Feedback")
            schema_editor.remove_index(model, old())
            schema_editor.add_index(model, new())

    return run


class Migration(migrations.Migration):
    dependencies = [("feedback", "0010_topics_under_control")]

    operations = [migrations.RunPython(swap(english_index, any_language_index), swap(any_language_index, english_index))]
