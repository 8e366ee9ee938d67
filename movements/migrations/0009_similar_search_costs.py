"""Similar items while typing (movements/similar.py, feedback/similar.py): let the planner use the GIN trigram
indexes of 0007 for uncommon titles.

pg_trgm declares the function behind `title %> 'typed words'` with the default cost of 1, so on a few thousand
rows the planner prefers reading the whole table and computing word_similarity on each title (13 ms for 2,000
movements on the large seed) over the index (0.1 ms). Its real cost is that of about a hundred operators; with
the true cost the index is used for rare words, and a sequential scan stopping at the first 200 matches is still
chosen when nearly every title matches (the large seed's "Feedback N about how we work"). PostgreSQL only; a
database user that does not own the extension keeps the default (a notice, not a failure).
"""

from django.db import migrations

COST = """
DO $$
BEGIN
    ALTER FUNCTION word_similarity_commutator_op(text, text) COST {cost};
EXCEPTION WHEN insufficient_privilege OR undefined_function THEN
    RAISE NOTICE 'word_similarity_commutator_op cost left unchanged';
END
$$;
"""


def set_cost(cost: int):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(COST.format(cost=cost))

    return run


class Migration(migrations.Migration):
    dependencies = [("movements", "0008_superseded_by")]

    operations = [migrations.RunPython(set_cost(100), set_cost(1))]
