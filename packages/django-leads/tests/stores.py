"""Test hooks: one dealership store ("dealer1") in a single schema, as a plain install has it."""
STORE = "dealer1"


def store_account(store_key: str):
    from django_wallet import services as wallet

    return wallet.system_account(f"store:{store_key}")


def business_account():
    """LEADS_BUSINESS_ACCOUNT: the dealership's account (the same one car sales pay into)."""
    return store_account(STORE)
