"""URLs of the notifications API; include under /api/ with namespace "notifications"."""

app_name = "notifications"

urlpatterns: list = []
