"""`{% video_player_context video as player %}`: what the player template needs, from the stored outputs."""

from django import template
from django.urls import reverse

register = template.Library()


@register.simple_tag
def video_player_context(video):
    outputs = video.outputs or {}
    files = set(outputs.get("files", ()))
    rungs = outputs.get("rungs", ())
    video_rungs = []
    for rung in rungs:
        if rung.get("kind") == "video" and rung.get("resolution"):
            width, height = (int(part) for part in rung["resolution"].split("x"))
            video_rungs.append({"height": height, "label": f"{min(width, height)}p"})
    audio = next((rung["playlist"] for rung in rungs if rung.get("kind") == "audio"), None)
    download_bytes = outputs.get("download_bytes")

    def playlist(name):
        return reverse("media_pipeline:playlist", args=[video.pk, name]) if name in files else ""

    return {
        "playable": bool(video.output_prefix) and outputs.get("master_playlist") in files,
        "master": playlist(outputs.get("master_playlist", "")),
        "audio": playlist(audio) if audio else "",
        "video_rungs": sorted(video_rungs, key=lambda rung: -rung["height"]),
        "download_mb": round(download_bytes / 1e6, 1) if download_bytes else None,
    }
