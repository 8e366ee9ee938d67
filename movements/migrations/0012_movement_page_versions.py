"""Per-movement content versions for the movement page's lower half (movements/page_parts.py).

`movement:<id>` is bumped, in the same transaction, by every write to a row the lower half of that
movement's page shows or computes from: its updates (and who they welcomed), the replies to them, stage
changes, sponsorships, sanctions, requests for help, linked feedback (a vote changes its count), roles
(a measure names its recorder role), measures and their values, pulses with their answers and
respondents, memberships and activity (the computed measures count them). Statement-level triggers with
transition tables: one upsert per statement and movement, whatever the number of rows (a seeding COPY
of 2,000,000 activities bumps each movement once).
`movement_parts` is bumped by a TRUNCATE of any of these tables (there are no rows to tell which
movements), and `people_names` by any change to what the page shows of a person (name, email, which
also makes the @mention handle, job title, being active) or a person appearing or going.
The movement's own row is not versioned: the page loads it on every request and its values are part of
the cache key.
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION movement_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        INSERT INTO people_contentversion (name, value)
        VALUES ('movement_parts', (extract(epoch FROM clock_timestamp()) * 1000000)::bigint)
        ON CONFLICT (name) DO UPDATE SET value = people_contentversion.value + 1;
        RETURN NULL;
    END IF;
    -- TG_ARGV[0]: a SELECT of the changed rows' movement ids over the transition table(s). One row per
    -- name, taken in name order (every writer locks version rows in the same order).
    EXECUTE format(
        'INSERT INTO people_contentversion (name, value) '
        'SELECT name, (extract(epoch FROM clock_timestamp()) * 1000000)::bigint FROM ('
        '  SELECT DISTINCT ''movement:'' || movement_id AS name FROM (%s) AS changed(movement_id)'
        '  WHERE movement_id IS NOT NULL'
        ') AS names ORDER BY name '
        'ON CONFLICT (name) DO UPDATE SET value = people_contentversion.value + 1',
        TG_ARGV[0]
    );
    RETURN NULL;
END
$$;
"""

DIRECT = "SELECT movement_id FROM {rows}"
VIA_UPDATE = "SELECT u.movement_id FROM {rows} c JOIN movements_update u ON u.id = c.update_id"
VIA_MEASURE = "SELECT m.movement_id FROM {rows} c JOIN pilots_measure m ON m.id = c.measure_id"
VIA_PULSE = "SELECT p.movement_id FROM {rows} c JOIN pilots_pulse p ON p.id = c.pulse_id"

TABLES = [
    ("movements_update", DIRECT),
    ("movements_update_welcomed", VIA_UPDATE),
    ("conversation_reply", VIA_UPDATE),
    ("movements_stagechange", DIRECT),
    ("movements_role", DIRECT),
    ("movements_membership", DIRECT),
    ("sponsors_sponsorship", DIRECT),
    ("sponsors_sanction", DIRECT),
    ("sponsors_supportrequest", DIRECT),
    ("feedback_feedback", DIRECT),
    ("pilots_measure", DIRECT),
    ("pilots_measurevalue", VIA_MEASURE),
    ("pilots_pulse", DIRECT),
    ("pilots_pulseanswer", VIA_PULSE),
    ("pilots_pulserespondent", VIA_PULSE),
    ("activity_activity", DIRECT),
]

# A trigger with transition tables has one event each (PostgreSQL's rule); an UPDATE counts the rows
# before and after (a row moved to another movement changes both pages).
EVENTS = {
    "insert": ("INSERT", "REFERENCING NEW TABLE AS new_rows", ["new_rows"]),
    "update": ("UPDATE", "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows", ["old_rows", "new_rows"]),
    "delete": ("DELETE", "REFERENCING OLD TABLE AS old_rows", ["old_rows"]),
}

PEOPLE_TRIGGERS = [
    ("people_user", "INSERT OR DELETE OR TRUNCATE"),
    ("people_user", "UPDATE OF display_name, email, job_title, is_active"),
]


def _name(table: str, event: str) -> str:
    return f"movement_version_{table}_{event}"


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
                f"FOR EACH STATEMENT EXECUTE FUNCTION movement_version_bump({_sql_literal(query)})"
            )
        schema_editor.execute(
            f"CREATE TRIGGER {_name(table, 'truncate')} AFTER TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION movement_version_bump()"
        )
    for index, (table, events) in enumerate(PEOPLE_TRIGGERS):
        schema_editor.execute(
            f"CREATE TRIGGER movement_version_people_names_{index} AFTER {events} ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION content_version_bump('people_names')"
        )


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, _select in TABLES:
        for event in (*EVENTS, "truncate"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {_name(table, event)} ON {table}")
    for index, (table, _events) in enumerate(PEOPLE_TRIGGERS):
        schema_editor.execute(f"DROP TRIGGER IF EXISTS movement_version_people_names_{index} ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS movement_version_bump()")


class Migration(migrations.Migration):
    dependencies = [
        ("movements", "0011_start_rationale_in_the_readers_language"),
        ("people", "0005_contentversion"),
        ("feedback", "0012_content_version_triggers"),
        ("activity", "0011_comment_edited"),
        ("conversation", "0001_initial"),
        ("sponsors", "0001_initial"),
        ("pilots", "0001_measures_pulses_proposals"),
    ]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
