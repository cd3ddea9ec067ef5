"""ffmpeg commands that make one offline-bundle file from a video's stored HLS outputs.

An offline bundle carries one file per lesson video, not a playlist and its
segments: one MP4 plays without script in every browser since ~2012 (an old
phone on the school's Wi-Fi too), is one content-addressed name to verify and
one byte range to resume. 360p is the transcoder's own download.mp4; the other
rungs are copied out of their HLS segments (no re-encode), 144p included; for a
video transcoded before the ladder had 144p, it is encoded from the 240p rung.
"""

from .formats import input_args

# What the --rendition of an export may name, smallest first.
RENDITIONS = ("audio", "144p", "240p", "360p", "480p")
# 144p for points whose line - or disk - is poorer still than 240p's ≈200 kbit/s:
# Apple's HLS ladder stops at 145 kbit/s for 416x234, so about half of that for a
# picture of a quarter the area, still enough to see a teacher and a blackboard.
LOW_BITRATE = 80_000
LOW_SHORT_SIDE = 144
KEYFRAME_SECONDS = 2  # as the ladder: seeking lands within 2 s


def remux(video_playlist, audio_playlist, out):
    """Video and audio renditions (our own HLS output) into one faststart MP4, streams copied."""
    command = ["ffmpeg", "-nostdin", "-v", "error", "-y"]
    if video_playlist:
        command += [*input_args(own_output=True), "-i", f"file:{video_playlist}"]
    if audio_playlist:
        command += [*input_args(own_output=True), "-i", f"file:{audio_playlist}"]
    maps = ["-map", "0:v:0"] if video_playlist else []
    if audio_playlist:
        maps += ["-map", f"{1 if video_playlist else 0}:a:0"]
    return [*command, *maps, "-c", "copy", "-movflags", "+faststart", f"file:{out}"]


def encode_low(video_playlist, audio_playlist, out, frame_rate=25):
    """The 144p MP4 from the 240p rung (already small and clean), audio copied."""
    command = ["ffmpeg", "-nostdin", "-v", "error", "-y", *input_args(own_output=True), "-i", f"file:{video_playlist}"]
    if audio_playlist:
        command += [*input_args(own_output=True), "-i", f"file:{audio_playlist}"]
    # The short side becomes 144 in either orientation (portrait phone recordings stay portrait).
    side = LOW_SHORT_SIDE
    scale = f"scale='if(gt(iw,ih),-2,{side})':'if(gt(iw,ih),{side},-2)'"
    gop = str(round(frame_rate * KEYFRAME_SECONDS))
    video = ["-map", "0:v:0", "-vf", scale, "-c:v", "libx264", "-preset", "veryfast", "-crf", "26"]
    video += ["-maxrate", str(LOW_BITRATE), "-bufsize", str(LOW_BITRATE), "-profile:v", "main", "-level", "3.0"]
    video += ["-g", gop, "-keyint_min", gop, "-sc_threshold", "0", "-pix_fmt", "yuv420p"]
    audio = ["-map", "1:a:0", "-c:a", "copy"] if audio_playlist else []
    return [*command, *video, *audio, "-movflags", "+faststart", f"file:{out}"]
