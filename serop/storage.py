"""Where uploaded files go: server-generated names, never the uploader's, below a folder per
kind, inside the private storage (see settings.STORAGES)."""

import uuid
from pathlib import PurePath
from typing import Any

from django.utils.deconstruct import deconstructible


@deconstructible
class PrivateUploadPath:
    def __init__(self, folder: str) -> None:
        self.folder = folder

    def __call__(self, instance: Any, filename: str) -> str:
        suffix = PurePath(filename).suffix.lower()[:10]
        return f"{self.folder}/{uuid.uuid4().hex}{suffix}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PrivateUploadPath) and other.folder == self.folder

    def __hash__(self) -> int:
        return hash(self.folder)
