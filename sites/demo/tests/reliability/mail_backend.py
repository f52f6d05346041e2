"""The fault tests' e-mail backend: Django's file backend with one file per connection, always.

Django names a connection's file by the second and the backend object's id, and opens it for
appending: two connections made within one second that get the same id (the first one freed) write
into one file. The fault tests count files to prove one e-mail per connection, so a name must never
repeat.
"""
import os
import time
import uuid

from django.core.mail.backends import filebased


class EmailBackend(filebased.EmailBackend):
    def _get_filename(self):
        if self._fname is None:
            self._fname = os.path.join(self.file_path, f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex}.log")
        return self._fname
