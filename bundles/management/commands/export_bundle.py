"""manage.py export_bundle OUT/ --stage 小学 --subject 数学 --edition 人教版 [--rendition 240p] …"""

from django.core.management.base import BaseCommand, CommandError

from core.media.offline import RENDITIONS
from resources.choices import Licence

from ... import builder, signing
from ...estimate import estimate
from ...renditions import RenditionError
from ...selection import Selection, SelectionError


class Command(BaseCommand):
    help = "导出离线资源包（离线播放器 + 签名清单 + 按内容寻址的文件）/ Export an offline school bundle"

    def add_arguments(self, parser):
        parser.add_argument("out", help="输出目录 / output folder")
        parser.add_argument("--stage", default="", help="学段，如 小学")
        parser.add_argument("--grade", default="", help="年级，如 三年级")
        parser.add_argument("--subject", default="", help="学科，如 数学")
        parser.add_argument("--edition", default="", help="版本，如 人教版")
        parser.add_argument("--award-min", default="", help="最低获奖等级，如 区级优课")
        parser.add_argument("--rendition", default="360p", choices=RENDITIONS, help="清晰度（默认 360p）")
        parser.add_argument("--include-documents", action="store_true", help="同时收录教学设计、课件等文档")
        parser.add_argument("--dry-run", action="store_true", help="只估算大小，不生成 / estimate the size only")
        parser.add_argument(
            "--licence", default=Licence.PUBLIC.value, choices=[Licence.PUBLIC.value, Licence.SIGNED_IN.value]
        )

    def handle(self, *args, **options):
        selection = Selection(
            stage=options["stage"],
            grade=options["grade"],
            subject=options["subject"],
            edition=options["edition"],
            award_min=options["award_min"],
            rendition=options["rendition"],
            include_documents=options["include_documents"],
            licence=options["licence"],
        )
        if options["dry_run"]:
            try:
                found = estimate(selection)
            except (SelectionError, RenditionError) as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(
                f"预计 {found['lessons']} 课（{found['without_video']} 课无视频），{found['hours']:.1f} 课时小时，"
                f"约 {found['bytes'] / 1e6:.1f} MB（{found['bytes']} 字节）"
            )
            return
        try:
            manifest = builder.build(selection, options["out"], warn=lambda text: self.stderr.write(text))
        except (SelectionError, RenditionError, signing.SigningKeyMissing) as exc:
            raise CommandError(str(exc)) from exc
        files = {entry["path"]: entry["size"] for lesson in manifest["lessons"] for entry in lesson["files"]}
        self.stdout.write(
            f"资源包 {manifest['bundle_id']} 版本 {manifest['version']}：{len(manifest['lessons'])} 课，"
            f"{len(files)} 个文件，共 {sum(files.values())} 字节 → {options['out']}"
        )
