"""Ladder planning is pure: a ProbeResult in, rungs out, no process started."""

from fractions import Fraction

from core.media.ladder import KEYFRAME_SECONDS, SEGMENT_SECONDS, output_frame_rate, plan_ladder
from core.media.probe import ProbeResult


def probed(width, height, *, rotation=0, audio="aac", rate=25.0, duration=60.0, sar=Fraction(1), video_duration=None):
    return ProbeResult(
        duration=duration,
        width=width,
        height=height,
        rotation=rotation,
        video_codec="h264",
        audio_codec=audio,
        frame_rate=rate,
        format_name="mov,mp4,m4a,3gp,3g2,mj2",
        sample_aspect_ratio=sar,
        video_duration=video_duration,
    )


def sizes(ladder):
    return {rung.name: (rung.width, rung.height) for rung in ladder.video}


def test_landscape_1080p_gets_every_rung_and_audio():
    ladder = plan_ladder(probed(1920, 1080))
    assert sizes(ladder) == {
        "720p": (1280, 720),
        "480p": (854, 480),
        "360p": (640, 360),
        "240p": (426, 240),
        "144p": (256, 144),
    }
    assert [rung.bitrate for rung in ladder.video] == [1_500_000, 800_000, 450_000, 200_000, 56_000]
    # The shared-line rung's sound is lighter: 56 + 32 kbit/s fits half of 256 kbit/s.
    assert [rung.audio_bitrate for rung in ladder.video] == [48_000] * 4 + [32_000]
    assert ladder.audio is not None and ladder.audio.bitrate == 32_000 and ladder.audio.codecs_attribute == "mp4a.40.2"
    assert ladder.download == "360p"


def test_480p_source_is_never_upscaled_to_720p():
    ladder = plan_ladder(probed(854, 480))
    assert "720p" not in sizes(ladder)
    assert sizes(ladder)["480p"] == (854, 480)


def test_portrait_phone_clip_rotated_stays_portrait():
    """A phone stores 1920x1080 with a 90° rotation: the viewer sees 1080x1920."""
    ladder = plan_ladder(probed(1920, 1080, rotation=90))
    assert sizes(ladder) == {
        "720p": (720, 1280),
        "480p": (480, 854),
        "360p": (360, 640),
        "240p": (240, 426),
        "144p": (144, 256),
    }
    stored_portrait = plan_ladder(probed(1080, 1920))
    assert sizes(stored_portrait) == sizes(ladder)


def test_odd_sizes_give_even_outputs_no_larger_than_the_source():
    for width, height in [(854, 480), (853, 479), (641, 361), (1279, 719), (321, 239)]:
        ladder = plan_ladder(probed(width, height))
        for rung in ladder.video:
            assert rung.width % 2 == 0 and rung.height % 2 == 0, (width, height, rung)
            assert rung.width <= width and rung.height <= height
    assert sizes(plan_ladder(probed(854, 480)))["240p"] == (428, 240)  # 427 would be odd


def test_no_audio_means_no_audio_rung():
    assert plan_ladder(probed(1280, 720, audio=None)).audio is None


def test_a_source_smaller_than_every_box_keeps_its_own_size():
    ladder = plan_ladder(probed(320, 180))
    assert sizes(ladder) == {"240p": (320, 180), "144p": (256, 144)}
    assert ladder.download == "240p"
    assert sizes(plan_ladder(probed(176, 144))) == {"144p": (176, 144)}  # QCIF: below every box


def test_wide_sources_are_limited_by_their_long_side():
    """A 2.35:1 film scan does not get a 1690-pixel "720p" rung."""
    assert sizes(plan_ladder(probed(1920, 816)))["720p"] == (1280, 544)


def test_non_square_pixels_are_planned_at_display_size():
    """720x576 stored, 16:9 shown (SAR 64:45): the 480p rung is 16:9, not 5:4."""
    ladder = plan_ladder(probed(720, 576, sar=Fraction(64, 45)))
    assert sizes(ladder)["480p"] == (854, 480)


def test_unknown_size_gets_small_rungs_fitted_by_ffmpeg():
    ladder = plan_ladder(probed(None, None))
    planned = [(rung.name, rung.width, rung.height) for rung in ladder.video]
    assert planned == [("360p", None, None), ("240p", None, None), ("144p", None, None)]
    assert ladder.video[0].box == (640, 360)


def test_keyframes_every_two_seconds_and_one_keyframe_per_segment():
    for rate, gop in [(25, 50), (29.97, 60), (60, 60), (50, 50), (None, 50)]:
        ladder = plan_ladder(probed(1280, 720, rate=rate))
        assert ladder.gop == gop, rate
        assert abs(ladder.gop / ladder.frame_rate - KEYFRAME_SECONDS) < 0.01
    assert SEGMENT_SECONDS % KEYFRAME_SECONDS == 0
    assert plan_ladder(probed(1280, 720)).segment_seconds == SEGMENT_SECONDS == 2


def test_output_frame_rate_is_constant_and_at_most_30():
    assert output_frame_rate(59.94) == Fraction(30000, 1001)
    assert output_frame_rate(120) == 30
    assert output_frame_rate(50) == 25
    assert output_frame_rate(29.6) == Fraction(30000, 1001)  # a VFR phone clip's average
    assert output_frame_rate(24.4) == 24
    assert output_frame_rate(15) == 15
    assert output_frame_rate(0) == 25
    assert output_frame_rate(None) == 25


def test_poster_after_the_title_card_and_thumbnails_spread_over_the_lesson():
    ladder = plan_ladder(probed(1280, 720, rate=25, duration=45 * 60))
    assert ladder.poster.first_frame == 270 * 25  # 10 % into a 45-minute lesson
    assert (ladder.poster.width, ladder.poster.height) == (640, 360)
    assert ladder.thumbnails.first_frame == 0
    assert ladder.thumbnails.step_frames == 9 * 60 * 25
    assert ladder.thumbnails.count == 5
    short = plan_ladder(probed(1280, 720, rate=25, duration=2))
    assert short.poster.first_frame == 20  # 40 % of 2 s: within the clip


def test_picture_length_comes_from_the_video_stream_when_known():
    ladder = plan_ladder(probed(1280, 720, duration=63.0, video_duration=60.0))
    assert ladder.duration == 63.0
    assert ladder.video_duration == 60.0
