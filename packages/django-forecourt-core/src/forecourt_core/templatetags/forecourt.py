"""{% load forecourt %}: ``{{ car.price|money }}``, ``{{ entry.created_at|when }}``, ``|number``, ``|label``
(forecourt_core.display); ``{% one_time_key %}`` in a money-moving form (forecourt_core.idempotency)."""
from django import template
from django.utils.html import format_html

from forecourt_core import display, idempotency

register = template.Library()


@register.filter
def money(amount, currency_code=None):
    return display.money(amount, currency_code)


@register.filter
def when(value, style="medium"):
    return display.when(value, style)


@register.filter
def number(value):
    return display.number(value)


@register.filter
def label(code):
    return display.label(code)


@register.simple_tag
def one_time_key():
    """A hidden field with a fresh idempotency key: the form, sent twice, posts once."""
    return format_html('<input type="hidden" name="{}" value="{}">', idempotency.FORM_FIELD,
                       idempotency.new_form_key())
