"""Who may do what. Plain Django permissions (plus is_staff for the admin-only actions)."""
from rest_framework.permissions import BasePermission


def is_trading_admin(user, perm: str) -> bool:
    return bool(user and user.is_authenticated and (user.is_staff or user.has_perm(perm)))


def can_view_trader(user, target_username: str) -> bool:
    """A trader sees only themselves; staff (or trading.view_any_order) see everyone."""
    if not (user and user.is_authenticated):
        return False
    return user.get_username() == target_username or is_trading_admin(user, "trading.view_any_order")


class CanIngestPrices(BasePermission):
    def has_permission(self, request, view) -> bool:
        return is_trading_admin(request.user, "trading.ingest_prices")
