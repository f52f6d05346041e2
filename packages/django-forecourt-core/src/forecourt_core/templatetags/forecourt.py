"""{% load forecourt %}: ``{{ car.price|money }}``, ``{{ entry.created_at|when }}``, ``|number``, ``|label``
(forecourt_core.display)."""
from django import template

from forecourt_core import display

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
