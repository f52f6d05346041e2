"""URLs of the wallet API; include under /api/ with namespace "wallet"."""

app_name = "wallet"

urlpatterns: list = []
