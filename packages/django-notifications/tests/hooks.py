"""Setting hooks used by the tests (the demo site points them at the current tenant)."""


def schema_dealer_a() -> str:
    return "dealer_a"


def group_prefix(*, scope=None, schema_name=None) -> str:
    if scope is not None:
        return f"t.{scope.get('schema', 'public')}."
    return f"t.{schema_name or 'public'}."


def bad_prefix(*, scope=None, schema_name=None) -> str:
    return "bad prefix/"
