from django.core.management.base import BaseCommand

from resources.provision import ensure_library


class Command(BaseCommand):
    help = "创建优课资源库页面、角色权限与评审流程（可重复执行）。"

    def handle(self, *args, **options):
        index = ensure_library()
        self.stdout.write(self.style.SUCCESS(f"优课资源库已就绪: {index.url_path}"))
