"""URLs of the leads API; include under /api/ with namespace "leads"."""

app_name = "leads"

urlpatterns: list = []
