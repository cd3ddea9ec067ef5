"""The usage file a school sends back to the district (README.md, "Usage file").

One JSON object: {"format": "youke-usage", "schema_version": 1, "bundle_id",
"source", "school", "plays": [{"lesson", "day", "plays"}]} - counts only.
The counts are totals so far, so importing the same file twice, or a later
file from the same source, replaces rather than adds.
"""

import json
import secrets
from pathlib import Path


def box_source(dest):
    """A random id for this box, made once: re-imports from the same box replace their own counts."""
    path = Path(dest) / "usage" / "box-id"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_text(secrets.token_hex(6))
    return "box:" + path.read_text().strip()


def collect(dest, school=None):
    dest = Path(dest)
    manifest_path = dest / "current" / "manifest.json"
    bundle_id = json.loads(manifest_path.read_text())["bundle_id"] if manifest_path.exists() else None
    plays = []
    for day_file in sorted((dest / "usage").glob("????-??-??.json")):
        for lesson, count in sorted(json.loads(day_file.read_text()).items(), key=lambda item: int(item[0])):
            plays.append({"lesson": int(lesson), "day": day_file.stem, "plays": count})
    return {
        "format": "youke-usage",
        "schema_version": 1,
        "bundle_id": bundle_id,
        "source": box_source(dest),
        "school": school,
        "plays": plays,
    }
