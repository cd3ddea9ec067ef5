from django.db import migrations


class Migration(migrations.Migration):
    """The share recommended to 市级 was named as if it were the only one; 省级 and 部级 have their own."""

    dependencies = [("resources", "0010_fixed_stages_and_grades")]

    operations = [
        migrations.RenameField(model_name="reviewrules", old_name="max_recommend_percent", new_name="max_city_percent"),
    ]
