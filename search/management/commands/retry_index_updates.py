from django.core.management.base import BaseCommand

from search.retry import extract_missing, retry_failed


class Command(BaseCommand):
    help = "重试搜索引擎漏掉的索引更新，并提取尚未提取的文档文字（与定时任务 search.retry_index_updates 相同）。"

    def handle(self, *args, **options):
        done, failed = retry_failed()
        documents = extract_missing()
        self.stdout.write(f"已补写索引 {done} 条，仍失败 {failed} 条；提取文档文字 {documents} 个")
        if failed:
            raise SystemExit(1)
