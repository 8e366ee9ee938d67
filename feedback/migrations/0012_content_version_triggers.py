"""Triggers that bump the content versions the list pages cache under (socialbiz/versions.py).

feedback_list: everything that decides which posts a feedback list holds and how many (not the votes or
comments, which change only their order or cards): a post's kind, status, visibility, movement, author,
text; its topics; a topic itself; a movement's department (who may see its posts); a person's department
and the departments' tree (the author's-department filter).
feedback_pages: everything a page of the feedback list shows (feedback/_card.html) and its order: all of
feedback_list's, and any change to a post (its votes and comments too), a movement's title and slug, and a
person's name.
departments: the department tree (the filter options on both lists).
movement_tools: the tools and departments of movements (the movement list's tool options).
movement_pages: everything a page of the movement list shows (movements/_card.html), its filters and order:
any change to a movement or a membership, a person's name, picture or being active, the department tree.
"""

from django.db import migrations

LISTS = ["feedback_list", "feedback_pages"]
TRIGGERS = [
    # (table, events, names bumped)
    ("feedback_feedback", "INSERT OR DELETE OR TRUNCATE", LISTS),
    (
        "feedback_feedback",
        "UPDATE OF kind, status, hidden_at, merged_into_id, movement_id, author_id, title, body, cause",
        ["feedback_list"],
    ),
    ("feedback_feedback", "UPDATE", ["feedback_pages"]),
    ("feedback_feedback_tags", "INSERT OR UPDATE OR DELETE OR TRUNCATE", LISTS),
    ("feedback_tag", "INSERT OR UPDATE OR DELETE OR TRUNCATE", LISTS),
    ("movements_movement", "INSERT OR DELETE OR TRUNCATE", [*LISTS, "movement_tools"]),
    ("movements_movement", "UPDATE OF department_id, tool", ["feedback_list", "movement_tools"]),
    ("movements_movement", "UPDATE OF department_id, title, slug", ["feedback_pages"]),
    ("people_user", "INSERT OR DELETE OR TRUNCATE", LISTS),
    ("people_user", "UPDATE OF department_id", ["feedback_list"]),
    ("people_user", "UPDATE OF department_id, display_name, email", ["feedback_pages"]),
    ("people_department", "INSERT OR UPDATE OR DELETE OR TRUNCATE", [*LISTS, "departments", "movement_pages"]),
    ("movements_movement", "INSERT OR UPDATE OR DELETE OR TRUNCATE", ["movement_pages"]),
    ("movements_membership", "INSERT OR UPDATE OR DELETE OR TRUNCATE", ["movement_pages"]),
    ("people_user", "INSERT OR DELETE OR TRUNCATE", ["movement_pages"]),
    ("people_user", "UPDATE OF display_name, email, avatar_version, is_active", ["movement_pages"]),
]


def _name(index: int, table: str) -> str:
    return f"content_version_{table}_{index}"


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite (the demo) caches nothing under versions: socialbiz/versions.py
    for index, (table, events, names) in enumerate(TRIGGERS):
        # Every trigger takes the version rows' locks in one order (by name), so two writers never wait on
        # each other's rows crosswise within a statement.
        arguments = ", ".join(f"'{name}'" for name in sorted(names))
        schema_editor.execute(
            f"CREATE TRIGGER {_name(index, table)} AFTER {events} ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION content_version_bump({arguments})"
        )


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for index, (table, _events, _names) in enumerate(TRIGGERS):
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {_name(index, table)} ON {table}")


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0011_search_any_language"),
        ("movements", "0011_start_rationale_in_the_readers_language"),
        ("people", "0005_contentversion"),
    ]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
