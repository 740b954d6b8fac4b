import os
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible


@deconstructible
class PrivateMediaStorage(FileSystemStorage):
    """Files under PORTAL_PRIVATE_MEDIA_ROOT that have no URL: only views that check access read them.

    Subclasses name their `subfolder`. The location is read on each use, so it follows the setting
    (shared storage in production, a temporary folder in tests).
    """

    subfolder = ""

    def __init__(self):
        super().__init__(base_url=None)

    @property
    def base_location(self):
        return str(Path(settings.PORTAL_PRIVATE_MEDIA_ROOT) / self.subfolder)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Private files are never served from a public URL.")
