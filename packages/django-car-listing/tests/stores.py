"""Test store hooks: the "current store" is a process-global the tests set (a site would read the tenant)."""
import threading

_state = threading.local()
DEFAULT = {"store": ""}
LEADS: dict = {}


def set_current_store(key: str) -> None:
    DEFAULT["store"] = key


def current_store() -> str:
    return DEFAULT["store"]


def store_account(store_key: str):
    from django_wallet import services as wallet

    return wallet.system_account(f"store:{store_key}")


def store_name(store_key: str) -> str:
    return f"Dealer {store_key}" if store_key else "Private sellers"


def lead_counter(*, store_key: str, car_id: int, since) -> int:
    return LEADS.get((store_key, car_id), 0)


_stack = threading.local()


def active_store() -> str:
    """The store ORM queries would hit: the innermost store_context, else the request's current store."""
    stack = getattr(_stack, "keys", None)
    return stack[-1] if stack else current_store()


class tracking_context:  # noqa: N801 - used like a function: tracking_context(key)
    """A STORE_CONTEXT that only records which store is active (one schema underneath), so tests can
    check that every query of a public-only table happens inside the public store."""

    def __init__(self, key: str):
        self.key = key

    def __enter__(self):
        if not hasattr(_stack, "keys"):
            _stack.keys = []
        _stack.keys.append(self.key)

    def __exit__(self, *exc):
        _stack.keys.pop()
        return False
