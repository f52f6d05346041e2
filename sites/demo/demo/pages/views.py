from django.db import connection
from django.shortcuts import render


def home(request):
    tenant = getattr(connection, "tenant", None)
    is_dealership = tenant is not None and tenant.schema_name != "public"
    return render(request, "home.html", {"dealership": tenant if is_dealership else None})
