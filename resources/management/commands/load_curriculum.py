from django.core.management.base import BaseCommand

from resources import taxonomy_loader


class Command(BaseCommand):
    help = "载入课程体系（学段、学科、版本、教材目录），可重复执行。Load the curriculum seed (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--data-dir", default=str(taxonomy_loader.DATA_DIR))

    def handle(self, *args, data_dir, **options):
        counts = taxonomy_loader.load_all(data_dir)
        self.stdout.write(self.style.SUCCESS(f"课程体系已载入: {counts}"))
