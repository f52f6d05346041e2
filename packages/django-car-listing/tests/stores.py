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
