"""The upload API as the widget calls it, for tests."""

import json

import requests
from django.test import Client

BASE = "/media-pipeline/uploads/"
LOCAL_PART = 64 * 1024  # small parts, so a 3 s clip has several
S3_PART = 5 * 1024 * 1024  # S3's floor for every part but the last


class Api:
    """The upload API as the widget calls it."""

    def __init__(self, client=None, user=None):
        self.client = client or Client()
        if user is not None:
            self.client.force_login(user)

    def create(self, filename="课堂实录.mp4", size=1, content_type="video/mp4"):
        body = {"filename": filename, "size": size, "content_type": content_type}
        return self.client.post(BASE, json.dumps(body), content_type="application/json")

    def status(self, upload_id):
        return self.client.get(f"{BASE}{upload_id}/")

    def sign(self, upload_id, numbers):
        return self.client.post(f"{BASE}{upload_id}/parts/", json.dumps({"numbers": numbers}), "application/json")

    def chunk(self, upload_id, number, data):
        return self.client.put(f"{BASE}{upload_id}/chunks/{number}/", data, content_type="application/octet-stream")

    def complete(self, upload_id):
        return self.client.post(f"{BASE}{upload_id}/complete/")

    def delete(self, upload_id):
        return self.client.delete(f"{BASE}{upload_id}/")

    def start(self, path):
        response = self.create(path.name, path.stat().st_size)
        assert response.status_code == 201, response.content.decode()
        return response.json()

    def send(self, info, data, numbers):
        """Send parts `numbers` of `data` as the widget would for this upload's backend."""
        size = info["part_size"]
        pieces = {n: data[(n - 1) * size : n * size] for n in numbers}
        if info["backend"] == "s3":
            urls = self.sign(info["id"], list(numbers)).json()["urls"]
            for n, piece in pieces.items():
                answer = requests.put(urls[str(n)], data=piece, timeout=30)
                assert answer.status_code == 200, answer.text
        else:
            for n, piece in pieces.items():
                answer = self.chunk(info["id"], n, piece)
                assert answer.status_code == 200, answer.content.decode()

    def upload(self, path):
        """A whole file, start to complete; returns the completion response."""
        info = self.start(path)
        self.send(info, path.read_bytes(), range(1, info["parts_total"] + 1))
        return info, self.complete(info["id"])
