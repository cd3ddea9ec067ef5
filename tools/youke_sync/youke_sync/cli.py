"""Command line: `youke-sync SRC DEST`, `youke-sync serve DEST`, `youke-sync usage DEST`."""

import argparse
import json
import re
import sys

from . import manifest, serve, usage
from .errors import SyncError, say
from .source import RateLimit, open_source
from .sync import Sync

UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}


def rate(text):
    """curl's --limit-rate spelling: 200k, 1.5m, 500000 (bytes per second)."""
    match = re.fullmatch(r"(\d+(?:\.\d+)?)([kmg]?)", text.strip().lower())
    if not match:
        raise argparse.ArgumentTypeError(f"限速格式应为 200k、1m 之类 / expected e.g. 200k or 1m: {text}")
    return int(float(match.group(1)) * UNITS[match.group(2)])


def parser():
    top = argparse.ArgumentParser(
        prog="youke-sync",
        description="同步优课离线资源包 / Sync a Youke offline bundle. "
        "youke-sync SRC DEST | youke-sync serve DEST | youke-sync usage DEST",
    )
    top.add_argument("src", help="来源：区平台的网址或已挂载的磁盘目录 / URL or mounted folder")
    top.add_argument("dest", help="本机资源包目录 / the box's bundle folder")
    top.add_argument("--limit-rate", type=rate, default=None, help="限速，如 200k / bandwidth cap, e.g. 200k")
    top.add_argument("--public-key", default=None, help="区级公钥（PEM）/ district public key, PEM")
    top.add_argument("--replace", action="store_true", help="允许换成另一个资源包 / allow a different bundle")
    return top


def serve_parser():
    top = argparse.ArgumentParser(prog="youke-sync serve", description="在局域网提供资源包 / serve the bundle")
    top.add_argument("dest")
    top.add_argument("--bind", default="0.0.0.0")  # noqa: S104 - a LAN box serves its LAN
    top.add_argument("--port", type=int, default=8000)
    return top


def usage_parser():
    top = argparse.ArgumentParser(prog="youke-sync usage", description="导出使用记录 / write the usage file")
    top.add_argument("dest")
    top.add_argument("--school", default=None, help="本校代码 / this school's code")
    top.add_argument("-o", "--output", default="-")
    return top


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    try:
        if argv[:1] == ["serve"]:
            options = serve_parser().parse_args(argv[1:])
            serve.serve(options.dest, options.bind, options.port)
            return 0
        if argv[:1] == ["usage"]:
            options = usage_parser().parse_args(argv[1:])
            body = json.dumps(usage.collect(options.dest, options.school), ensure_ascii=False, indent=1)
            if options.output == "-":
                say(body)
            else:
                with open(options.output, "w", encoding="utf-8") as handle:
                    handle.write(body)
            return 0
        options = parser().parse_args(argv)
        key = manifest.load_public_key(options.public_key)
        source, limit = open_source(options.src), RateLimit(options.limit_rate)
        job = Sync(source, options.dest, key, limit, allow_other_bundle=options.replace)
        stats = job.run()
        say(
            f"下载 {stats['fetched']} 个文件（{stats['fetched_bytes']} 字节），已有且校验通过 {stats['skipped']} 个。"
            f" Fetched {stats['fetched']} files ({stats['fetched_bytes']} bytes), {stats['skipped']} already good."
        )
        return 0
    except SyncError as error:
        say(f"错误：{error.chinese}\nError: {error.english}", sys.stderr)
        return 1
    except KeyboardInterrupt:
        say("已中断，下次运行会续传。Interrupted; the next run resumes.", sys.stderr)
        return 130
