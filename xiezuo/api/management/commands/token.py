"""`xiezuo token create USERNAME [--expires DAYS] [--read-only] [--name NAME]` prints a new API
token once; `xiezuo token revoke TOKEN_OR_ID` revokes one."""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from xiezuo.api.tokens import TokenError, token_create, token_revoke


class Command(BaseCommand):
    help = "Create or revoke API tokens (a new token is printed once; only its hash is kept)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True)
        create = verbs.add_parser("create", help="create a token for USERNAME and print it once")
        create.add_argument("username")
        create.add_argument("--expires", type=float, metavar="DAYS", help="days until it expires")
        create.add_argument(
            "--read-only", action="store_true", help="reads only: no upload, no run"
        )
        create.add_argument("--name", default="", help="what the token is for")
        revoke = verbs.add_parser("revoke", help="revoke a token, given the token or its id")
        revoke.add_argument("token_or_id")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["verb"] == "create":
                self._create(options)
            else:
                token = token_revoke(token_or_id=options["token_or_id"])
                self.stdout.write(f"令牌 {token.pk}（{token.user}）已吊销")
        except TokenError as error:
            raise CommandError(error.message) from None

    def _create(self, options: dict[str, Any]) -> None:
        days = options["expires"]
        if days is not None and days <= 0:
            raise CommandError("--expires 应为正数天数")
        issued = token_create(
            username=options["username"],
            name=options["name"],
            expires_days=days,
            read_only=options["read_only"],
        )
        token = issued.token
        expires = f"，{token.expires:%Y-%m-%d %H:%M} 过期" if token.expires else ""
        kind = "只读" if token.read_only else "读写"
        self.stderr.write(
            f"令牌 {token.pk}（{token.user}，{kind}{expires}）。它只显示这一次，请妥善保存："
        )
        self.stdout.write(issued.secret)
