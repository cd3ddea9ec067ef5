"""manage.py bundle_key [--generate]: the district's bundle-signing key and the public half for youke-sync."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ... import signing


class Command(BaseCommand):
    help = "生成或显示离线资源包签名密钥 / Generate or show the bundle-signing key"

    def add_arguments(self, parser):
        parser.add_argument("--generate", action="store_true", help="生成新私钥（不会覆盖已有的）")
        parser.add_argument(
            "--public-out", default=str(signing.SYNC_TOOL_PUBLIC_KEY), help="公钥写到哪里（默认随同步工具发放）"
        )

    def handle(self, *args, **options):
        try:
            key = signing.generate(settings.BUNDLE_SIGNING_KEY) if options["generate"] else signing.load_key()
        except (FileExistsError, signing.SigningKeyMissing) as exc:
            raise CommandError(str(exc)) from exc
        pem = signing.public_pem(key)
        Path(options["public_out"]).write_bytes(pem)
        self.stdout.write(f"密钥 {signing.key_id(key.public_key())}；公钥已写入 {options['public_out']}")
        self.stdout.write(pem.decode())
