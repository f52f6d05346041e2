"""Uploaded files, served so that none can run as a page in the site's origin.

django-car-listing decodes every upload with Pillow and re-encodes it as JPEG, PNG or WebP under a
random name with the matching extension, so only those extensions are served, with their image
type fixed here (never guessed from content), nosniff, and a sandboxing CSP: even a file that got
into MEDIA_ROOT some other way (an SVG or HTML with script) is a 404, never a document.
"""
import posixpath

from django.conf import settings
from django.http import Http404
from django.views.static import serve

IMAGE_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".webp": "image/webp"}


def serve_upload(request, path: str):
    content_type = IMAGE_TYPES.get(posixpath.splitext(path)[1].lower())
    if content_type is None:
        raise Http404("Not an image.")
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    if response.status_code == 200:
        response["Content-Type"] = content_type
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
