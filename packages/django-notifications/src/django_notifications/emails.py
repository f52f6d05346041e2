"""A notification's e-mail, from the templates of its kind when the project has them.

For kind ``K`` the project provides ``notifications/email/K.subject.txt``, ``K.txt`` and ``K.html``
(any template directory); each gets ``notification``, ``data`` (its JSON data), ``recipient`` and
``link``. A kind without templates is sent as its title, body and link in plain text.
Rendering happens when the notification is written, so the e-mail shows amounts and dates the way
the request that caused it did, and a later template change never alters a queued message.
"""
from __future__ import annotations

import re

from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string

TEMPLATE_DIR = "notifications/email"
_SPACE = re.compile(r"\s+")


def render_email(note) -> dict:
    """{"subject", "body", "html"} for ``note`` ("html" empty when the kind has no HTML template)."""
    context = {"notification": note, "data": note.data, "recipient": note.recipient, "link": note.link}
    base = f"{TEMPLATE_DIR}/{note.kind}"
    try:
        subject = render_to_string(f"{base}.subject.txt", context)
    except TemplateDoesNotExist:
        return {"subject": note.title, "body": note.body + (f"\n\n{note.link}" if note.link else ""), "html": ""}
    return {
        "subject": _SPACE.sub(" ", subject).strip()[:200],
        "body": render_to_string(f"{base}.txt", context).strip() + "\n",
        "html": _optional(f"{base}.html", context),
    }


def _optional(name: str, context: dict) -> str:
    try:
        return render_to_string(name, context)
    except TemplateDoesNotExist:
        return ""
