"""The trading desk (marketplace host): prices, buy/sell, holdings with P&L, pending and resting orders."""
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse

from demo.pages.forms import AmountForm, LimitPriceForm, cleaned_or_refused
from demo.pages.views.common import public_only, refused
from django_trading import selectors
from django_trading import services as trading
from django_trading.models import Order
from django_wallet import selectors as wallet_selectors
from django_wallet.services import account_for
from forecourt_core.errors import DomainError
from forecourt_core.idempotency import form_idempotency_key

OPEN = ("pending", "resting")
# The two ways money moves between one's own accounts: (service, message).
MOVES = {"deposit": ("trader_deposit", "moved to your trading account"),
         "withdraw": ("trader_withdraw", "moved back to your wallet")}


def _move_money(request, back):
    """One balanced, keyed wallet transfer between the user's main and trading accounts."""
    service, done = MOVES[request.POST["action"]]
    try:
        amount = cleaned_or_refused(AmountForm(request.POST))["amount"]
        getattr(trading, service)(user=request.user, amount=amount,
                                  idempotency_key=form_idempotency_key(request.POST))
    except DomainError as exc:
        return refused(request, exc, back)
    messages.success(request, f"{amount} {done}.")
    return redirect(back)


@public_only
@login_required
def desk(request):
    back = reverse("pages:trading")
    if request.method == "POST" and request.POST.get("action") in MOVES:
        return _move_money(request, back)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "cancel":
                order = Order.objects.filter(pk=request.POST.get("order"), user=request.user).first()
                if order is None:
                    messages.error(request, "No such order.")
                    return redirect(back)
                trading.order_cancel(order=order)
                messages.success(request, "Order cancelled.")
                return redirect(back)
            limit = cleaned_or_refused(LimitPriceForm(request.POST))["limit_price"]
            order, _ = trading.order_create(
                user=request.user, ticker=request.POST.get("ticker", ""), side=request.POST.get("side", ""),
                volume=int(request.POST.get("volume") or 0), order_type=request.POST.get("order_type", "market"),
                limit_price=limit,
                idempotency_key=form_idempotency_key(request.POST))
        except ValueError:
            messages.error(request, "Enter a whole number of shares.")
            return redirect(back)
        except DomainError as exc:
            return refused(request, exc, back)
        messages.success(request, f"Order accepted: {order.side} {order.volume} {order.ticker} ({order.status}).")
        return redirect(back)
    holdings = [(h, selectors.holding_valuation(h)) for h in selectors.holding_list(user=request.user)]
    orders = list(selectors.order_history(user=request.user)[:50])
    return render(request, "pages/trading.html", {
        "stocks": list(selectors.stock_list()[:100]), "holdings": holdings,
        "open_orders": [o for o in orders if o.status in OPEN], "orders": orders,
        "cash": selectors.trader_balance(user=request.user),
        "wallet_balance": wallet_selectors.available_balance(account_for(request.user)),
        "rejected": [o for o in orders[:5] if o.status == "rejected"],
        "available": selectors.trader_available_balance(user=request.user),
        "realised": sum((h.realised_pnl for h, _ in holdings), Decimal("0.00")),
        "unrealised": sum((v["unrealised_pnl"] or Decimal("0.00") for _, v in holdings), Decimal("0.00")),
    })
