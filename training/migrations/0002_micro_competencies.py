"""Ship the national programme's 30 micro-competencies with the schema (training/data/competencies.json)."""

from django.db import migrations


def load(apps, schema_editor):
    from training.models.competencies import load_competencies

    load_competencies(apps.get_model("training", "MicroCompetency"))


class Migration(migrations.Migration):
    dependencies = [("training", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
