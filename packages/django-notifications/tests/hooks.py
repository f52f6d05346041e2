"""Setting hooks used by the tests (the demo site's answer the same questions from the current tenant)."""

# The "current place" a hook called without a websocket scope reads (a site reads its current schema).
current = {"schema": "public"}


def group_prefix(*, scope=None) -> str:
    if scope is not None:
        return f"t.{scope.get('schema', 'public')}."
    return f"t.{current['schema']}."


def bad_prefix(*, scope=None) -> str:
    return "bad prefix/"
