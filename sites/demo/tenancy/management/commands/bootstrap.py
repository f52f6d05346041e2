"""Make a migrated database serve: the public tenant, the BASE_DOMAIN domain, optionally a first platform admin.

    manage.py migrate_schemas --noinput && manage.py bootstrap

Idempotent: run it on every deploy (docker-compose.yml's `migrate` service does) and by the demo.
With BOOTSTRAP_ADMIN_USERNAME and BOOTSTRAP_ADMIN_PASSWORD set (BOOTSTRAP_ADMIN_EMAIL optional) it
creates that platform admin once; an existing user of that name is left as it is, password included,
so a later deploy never resets a password someone changed.
"""
import os

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from tenancy.services import public_tenant_ensure


class Command(BaseCommand):
    help = "Create the public tenant, the BASE_DOMAIN domain and (from the environment) a first platform admin."

    def handle(self, *args, **options):
        connection.set_schema_to_public()
        with transaction.atomic():
            tenant = public_tenant_ensure()
            domains = ", ".join(tenant.domains.values_list("domain", flat=True).order_by("domain"))
            self.stdout.write(f"public tenant serves {domains}")
            self._admin()

    def _admin(self) -> None:
        username = os.environ.get("BOOTSTRAP_ADMIN_USERNAME", "").strip()
        if not username:
            return
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            self.stdout.write(f"platform admin {username} exists; left unchanged")
            return
        password = os.environ.get("BOOTSTRAP_ADMIN_PASSWORD", "")
        if not password:
            raise CommandError("BOOTSTRAP_ADMIN_USERNAME is set but BOOTSTRAP_ADMIN_PASSWORD is empty")
        user = User(username=username, email=os.environ.get("BOOTSTRAP_ADMIN_EMAIL", "").strip(),
                    is_staff=True, is_superuser=True)
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError("BOOTSTRAP_ADMIN_PASSWORD: " + " ".join(exc.messages)) from exc
        user.set_password(password)
        user.save()
        self.stdout.write(f"platform admin {username} created")
