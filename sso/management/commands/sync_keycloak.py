from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from keycloak.exceptions import KeycloakError

from sso.sync import sync


class Command(BaseCommand):
    help = (
        "从 Keycloak 同步学校、用户、角色与停用状态（可重复执行）。"
        "Pull schools, users, roles and disabled flags from Keycloak (idempotent)."
    )

    def handle(self, *args, **options):
        if not settings.KEYCLOAK:
            raise CommandError("未配置 KEYCLOAK_SERVER_URL：没有可同步的统一身份认证服务。")
        try:
            report = sync()
        except ImproperlyConfigured as exc:
            raise CommandError(f"同步账号未配置：{exc}") from exc
        except KeycloakError as exc:
            raise CommandError(f"无法从 Keycloak 读取用户（未做任何停用）：{exc}") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"同步完成：学校 {report.schools}，用户 {report.users}，停用 {report.deactivated}，"
                f"结束会话 {report.sessions_ended}"
            )
        )
        if report.conflicts:
            names = ", ".join(report.conflicts)
            self.stdout.write(
                self.style.WARNING(
                    f"账号冲突，未关联（同名本地账号有自己的密码且邮箱不符、为应急账号或已关联他人），请管理员处理：{names}"
                )
            )
