"""Global users (public schema). Roles live in tenancy.Membership, not here."""
from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    class Meta:
        db_table = "accounts_user"
