"""The taxonomy's fixed levels (学段, 年级) exist from the first `migrate`.

Without them a fresh site refused every imported line's stage until
`load_curriculum` had run. The values are frozen here (a migration must not
change when resources/curriculum/vocabulary.json is edited later); they match
its "stages" and "grade_aliases", and load_curriculum's update_or_create by
code/name finds these rows instead of adding new ones.
"""

from django.db import migrations

STAGES = [
    ("primary", "小学", ["一年级", "二年级", "三年级", "四年级", "五年级", "六年级"]),
    ("junior", "初中", ["七年级", "八年级", "九年级"]),
]
GRADE_ALIASES = {
    "一年级": ["1年级"],
    "二年级": ["2年级"],
    "三年级": ["3年级"],
    "四年级": ["4年级"],
    "五年级": ["5年级"],
    "六年级": ["6年级"],
    "七年级": ["初一", "7年级"],
    "八年级": ["初二", "8年级"],
    "九年级": ["初三", "9年级"],
}


def add_levels(apps, schema_editor):
    Stage = apps.get_model("resources", "Stage")
    Grade = apps.get_model("resources", "Grade")
    order = 0
    for stage_order, (code, name, grades) in enumerate(STAGES):
        stage, _ = Stage.objects.get_or_create(code=code, defaults={"name": name, "sort_order": stage_order})
        for grade_name in grades:
            order += 1
            grade, created = Grade.objects.get_or_create(
                name=grade_name, defaults={"stage": stage, "sort_order": order}
            )
            if created:
                grade.aliases = ", ".join(GRADE_ALIASES.get(grade_name, []))
                grade.save(update_fields=["aliases"])


class Migration(migrations.Migration):
    dependencies = [
        ("resources", "0009_lesson_search_terms"),
    ]

    # Reversing keeps the rows: lessons may already point at them.
    operations = [migrations.RunPython(add_levels, migrations.RunPython.noop)]
