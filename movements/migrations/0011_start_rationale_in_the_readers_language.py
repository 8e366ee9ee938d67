"""The first stage change of a movement stored "Started the movement." in the founder's language; it is now
empty and the page says it in the reader's language."""

from django.db import migrations


def forwards(apps, schema_editor):
    StageChange = apps.get_model("movements", "StageChange")
    StageChange.objects.filter(from_stage="", decision="", rationale="Started the movement.").update(rationale="")


def backwards(apps, schema_editor):
    StageChange = apps.get_model("movements", "StageChange")
    StageChange.objects.filter(from_stage="", decision="", rationale="").update(rationale="Started the movement.")


class Migration(migrations.Migration):
    dependencies = [("movements", "0010_unicode_slugs")]

    operations = [migrations.RunPython(forwards, backwards)]
