"""The bottom layer: building blocks that import no Django and no app.

Chinese text analysis (`chinese`), interval arithmetic for study time
(`intervals`), child-process hygiene (`processes`) and the ffmpeg side of the
media pipeline (`media`: container allow-list, probe, ladder planning,
commands, HLS playlists, the runner and `transcode`). Everything here can be
tested without a database and reused by tools that run outside the site
(an offline bundle's sync tool, `python -m search.extract`'s child).
The import contracts in pyproject.toml keep it that way.
"""
