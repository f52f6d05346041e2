"""Photos chosen on a form that failed validation, kept server-side so nobody has to pick them again.

Each upload is written under MEDIA_ROOT/staged/ with a random name (no image extension, so
demo.media never serves it) and remembered in the session; the form sends back only the random
tokens, so one user can never claim another's file. Taking a staged upload deletes it.
"""
import uuid

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

SESSION_KEY = "staged_uploads"
MAX_STAGED = 20  # per session: a bound on what a visitor can park on disk


def stage(request, uploads) -> list[dict]:
    """Keep ``uploads`` for this session; returns [{token, name}] for the form's hidden fields."""
    staged = dict(request.session.get(SESSION_KEY, {}))
    kept = []
    for upload in uploads:
        if len(staged) >= MAX_STAGED:
            break
        token = uuid.uuid4().hex
        upload.seek(0)
        path = default_storage.save(f"staged/{token}", upload)
        staged[token] = {"path": path, "name": upload.name[-100:], "type": upload.content_type or ""}
        kept.append({"token": token, "name": staged[token]["name"]})
    request.session[SESSION_KEY] = staged
    return kept


def kept(request, tokens) -> list[dict]:
    """The staged uploads among ``tokens`` that this session owns, as [{token, name}]."""
    staged = request.session.get(SESSION_KEY, {})
    return [{"token": t, "name": staged[t]["name"]} for t in dict.fromkeys(tokens) if t in staged]


def take(request, tokens) -> list[SimpleUploadedFile]:
    """The staged files for ``tokens`` (this session's only), removed from the session and the disk."""
    staged = dict(request.session.get(SESSION_KEY, {}))
    files = []
    for token in dict.fromkeys(tokens):
        entry = staged.pop(token, None)
        if entry is None:
            continue
        with default_storage.open(entry["path"], "rb") as fh:
            files.append(SimpleUploadedFile(entry["name"], fh.read(), entry["type"]))
        default_storage.delete(entry["path"])
    request.session[SESSION_KEY] = staged
    return files
