"""ffmpeg without Django: what a file is, what to make of it, and making it.

`media_pipeline` is the Django side (models, jobs, uploads, views) on top.
"""
