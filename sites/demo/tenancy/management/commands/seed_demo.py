"""Seed the demo idempotently: dealerships dealer1/dealer2, one user per role, funded wallets.

Run it twice and nothing changes the second time (get-or-create everywhere,
deposits keyed by an idempotency key).
"""
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from accounts.roles import ROLE_CHOICES
from tenancy.models import Dealership
from tenancy.services import dealership_create, membership_grant, public_tenant_ensure

PASSWORD = "forecourt-demo-1"
DEALERSHIPS = [("dealer1", "First Motors"), ("dealer2", "Second Autos")]
BUYER_FUNDS = Decimal("50000.00")


def _user(username: str, **extra):
    User = get_user_model()
    user, created = User.objects.get_or_create(username=username, defaults={"email": f"{username}@example.com", **extra})
    if created:
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    return user


class Command(BaseCommand):
    help = "Create (or keep) the demo dealerships, users and balances."

    def handle(self, *args, **options):
        from django_wallet import services as wallet

        public_tenant_ensure()
        credentials = [("platform admin", _user("admin", is_staff=True, is_superuser=True).username)]
        for slug, name in DEALERSHIPS:
            dealership = Dealership.objects.filter(slug=slug).first() or dealership_create(name=name, slug=slug)
            for role, label in ROLE_CHOICES:
                user = _user(f"{slug}-{role.replace('_', '-')}")
                membership_grant(user=user, dealership=dealership, role=role)
                credentials.append((f"{label} of {slug}", user.username))
            wallet.deposit(account=wallet.account_for(dealership), amount=Decimal("250000.00"),
                           idempotency_key=f"seed:{slug}", idempotency_scope="seed")
        for username in ("buyer", "seller"):
            user = _user(username)
            wallet.deposit(account=wallet.account_for(user), amount=BUYER_FUNDS,
                           idempotency_key=f"seed:{username}", idempotency_scope="seed")
            credentials.append((username, user.username))
        self.stdout.write("Demo users (password for all: %s):" % PASSWORD)
        for label, username in credentials:
            self.stdout.write(f"  {label:<28} {username}")
