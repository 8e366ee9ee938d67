"""Per-post content versions for the feedback post page (feedback/views.py: the post's page is kept rendered).

`feedback:<id>` is bumped, in the same transaction, by every write to the post's own row (its text, status,
votes count, hiding, withdrawal, merging), its comments, its official answers and its topics' links;
`feedback_tags` by any change to a topic (its name, approval, retirement), `feedback_parts` by a TRUNCATE
of any of these tables, and `people_names` (migration 0012) now also by a person's move to another
department (the page names the author's department). The movements the post is about are read with the
post on every view and are in the key.

Created from the movements app (the feedback app's migrations belong to another change running beside
this one); the function is migration 0012's, with a SELECT of post ids in place of movement ids.
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION feedback_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        INSERT INTO people_contentversion (name, value)
        VALUES ('feedback_parts', (extract(epoch FROM clock_timestamp()) * 1000000)::bigint)
        ON CONFLICT (name) DO UPDATE SET value = people_contentversion.value + 1;
        RETURN NULL;
    END IF;
    EXECUTE format(
        'INSERT INTO people_contentversion (name, value) '
        'SELECT name, (extract(epoch FROM clock_timestamp()) * 1000000)::bigint FROM ('
        '  SELECT DISTINCT ''feedback:'' || feedback_id AS name FROM (%s) AS changed(feedback_id)'
        '  WHERE feedback_id IS NOT NULL'
        ') AS names ORDER BY name '
        'ON CONFLICT (name) DO UPDATE SET value = people_contentversion.value + 1',
        TG_ARGV[0]
    );
    RETURN NULL;
END
$$;
"""

TABLES = [
    ("feedback_feedback", "SELECT id FROM {rows}"),
    ("feedback_comment", "SELECT feedback_id FROM {rows}"),
    ("feedback_statuschange", "SELECT feedback_id FROM {rows}"),
    ("feedback_feedback_tags", "SELECT feedback_id FROM {rows}"),
]

EVENTS = {
    "insert": ("INSERT", "REFERENCING NEW TABLE AS new_rows", ["new_rows"]),
    "update": ("UPDATE", "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows", ["old_rows", "new_rows"]),
    "delete": ("DELETE", "REFERENCING OLD TABLE AS old_rows", ["old_rows"]),
}

OTHER_TRIGGERS = [
    ("feedback_version_tags", "feedback_tag", "INSERT OR UPDATE OR DELETE OR TRUNCATE", "feedback_tags"),
    ("movement_version_people_names_department", "people_user", "UPDATE OF department_id", "people_names"),
]


def _name(table: str, event: str) -> str:
    return f"feedback_version_{table}_{event}"


def _sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite (the demo) caches nothing under versions: socialbiz/versions.py
    schema_editor.execute(FUNCTION, params=None)  # its %s is format()'s, not a parameter
    for table, select in TABLES:
        for event, (keyword, referencing, rows) in EVENTS.items():
            query = " UNION ALL ".join(select.format(rows=name) for name in rows)
            schema_editor.execute(
                f"CREATE TRIGGER {_name(table, event)} AFTER {keyword} ON {table} {referencing} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION feedback_version_bump({_sql_literal(query)})"
            )
        schema_editor.execute(
            f"CREATE TRIGGER {_name(table, 'truncate')} AFTER TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION feedback_version_bump()"
        )
    for name, table, events, version in OTHER_TRIGGERS:
        schema_editor.execute(
            f"CREATE TRIGGER {name} AFTER {events} ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION content_version_bump('{version}')"
        )


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, _select in TABLES:
        for event in (*EVENTS, "truncate"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {_name(table, event)} ON {table}")
    for name, table, _events, _version in OTHER_TRIGGERS:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS feedback_version_bump()")


class Migration(migrations.Migration):
    dependencies = [("movements", "0012_movement_page_versions")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
