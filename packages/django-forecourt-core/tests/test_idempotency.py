import pytest

from forecourt_core.errors import IdempotencyKeyRequired, InvalidIdempotencyKey
from forecourt_core.idempotency import form_idempotency_key, parse_idempotency_key, require_idempotency_key


@pytest.mark.parametrize(("raw", "key"), [("abc", "abc"), ("  abc  ", "abc"), ("a" * 255, "a" * 255),
                                          ("order 42/retry:1", "order 42/retry:1")])
def test_a_key_is_the_trimmed_header(raw, key):
    assert parse_idempotency_key({"Idempotency-Key": raw}) == key


@pytest.mark.parametrize("raw", ["", "   ", "a" * 256, "caf\u00e9", "a\tb", "a\x00b", "\u0661\u0660"])
def test_empty_overlong_or_unprintable_keys_are_refused_with_their_own_code(raw):
    with pytest.raises(InvalidIdempotencyKey) as refused:
        parse_idempotency_key({"Idempotency-Key": raw})
    assert (refused.value.code, refused.value.status) == ("invalid_idempotency_key", 400)


def test_absent_is_none_and_the_caller_decides_whether_it_is_required():
    assert parse_idempotency_key({}) is None
    with pytest.raises(IdempotencyKeyRequired) as refused:
        require_idempotency_key({})
    assert (refused.value.code, refused.value.status) == ("idempotency_key_required", 400)
    assert require_idempotency_key({"Idempotency-Key": " k "}) == "k"


def test_a_form_key_is_read_by_the_header_rules_and_the_tag_renders_a_fresh_one():
    import re

    from django.template import Context, Engine

    assert form_idempotency_key({}) is None and form_idempotency_key({"idempotency_key": ""}) is None
    assert form_idempotency_key({"idempotency_key": " k-1 "}) == "k-1"
    with pytest.raises(InvalidIdempotencyKey):
        form_idempotency_key({"idempotency_key": "a" * 256})
    engine = Engine(libraries={"forecourt": "forecourt_core.templatetags.forecourt"})
    template = engine.from_string("{% load forecourt %}{% one_time_key %}")
    first, second = (template.render(Context()) for _ in range(2))
    assert re.fullmatch(r'<input type="hidden" name="idempotency_key" value="[0-9a-f]{32}">', first)
    assert first != second
