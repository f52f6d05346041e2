"""URLs of the trading API; include under /api/ with namespace "trading"."""

app_name = "trading"

urlpatterns: list = []
