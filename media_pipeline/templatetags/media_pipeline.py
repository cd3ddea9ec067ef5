"""`{% video_player_context video as player %}`: what the player template needs, from the stored outputs."""

from django import template
from django.urls import reverse
from django.utils.translation import gettext as _

register = template.Library()


def megabytes_per_minute(bitrate):
    """What a minute of a rung costs a teacher's data plan, from its measured bit/s: 「约 0.7 MB/分钟」."""
    return _("约 %(size)s MB/分钟") % {"size": f"{bitrate * 60 / 8 / 1e6:.1f}"}


@register.simple_tag
def video_player_context(video):
    outputs = video.outputs or {}
    files = set(outputs.get("files", ()))
    rungs = outputs.get("rungs", ())
    video_rungs, audio = [], None
    for rung in rungs:
        # Older outputs measured the video alone (sound was a separate rendition): the cost is a floor.
        cost = megabytes_per_minute(rung.get("measured_bitrate") or rung.get("bitrate") or 0)
        if rung.get("kind") == "video" and rung.get("resolution"):
            width, height = (int(part) for part in rung["resolution"].split("x"))
            name = f"{min(width, height)}p"
            video_rungs.append({"height": height, "name": name, "label": f"{name} · {cost}"})
        elif rung.get("kind") == "audio" and audio is None:
            audio = {"playlist": rung["playlist"], "cost": cost}
    video_rungs.sort(key=lambda rung: -rung["height"])
    download_bytes = outputs.get("download_bytes")

    def playlist(name):
        return reverse("media_pipeline:playlist", args=[video.pk, name]) if name in files else ""

    return {
        "playable": bool(video.output_prefix) and outputs.get("master_playlist") in files,
        "master": playlist(outputs.get("master_playlist", "")),
        "audio": playlist(audio["playlist"]) if audio else "",
        "audio_cost": audio["cost"] if audio else "",
        "video_rungs": video_rungs,
        # 省流量 keeps to the smallest rung: 144p on a new ladder, 240p on an older one.
        "saver_rung": video_rungs[-1]["name"] if video_rungs else "",
        # The prefix names one immutable set of outputs: the poster URL changes with it.
        "poster_version": (video.output_prefix or "").rsplit("/", 1)[-1],
        "download_mb": round(download_bytes / 1e6, 1) if download_bytes else None,
    }
