from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.db import transaction

from django_wallet.services import account_for


@transaction.atomic
def user_register(*, username: str, password: str, email: str = "", first_name: str = "", last_name: str = ""):
    """A new global user with a wallet account (every user owns one)."""
    User = get_user_model()
    user = User(username=username, email=email, first_name=first_name, last_name=last_name)
    validate_password(password, user)  # raises django ValidationError -> 400 validation_error
    user.set_password(password)
    user.save()
    account_for(user)
    return user
