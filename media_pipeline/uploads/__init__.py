"""Resumable video uploads from the teacher's browser.

Two backends with one flow (create → send parts → ask what arrived → send
the rest → complete → content check → transcode queue):

- `s3`: the browser PUTs each part straight to object storage on a URL
  presigned here; S3's own list of parts is the record of what arrived.
- `local`: the embedded default; the browser PUTs the same parts to this
  site, which keeps them as numbered chunk files until completion.

`service` holds the flow, `views` its JSON API, `checks` the content gate.
"""
