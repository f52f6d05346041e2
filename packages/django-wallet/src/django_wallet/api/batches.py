"""POST /api/wallet/batches/: up to 1,000 transfers and charge sales out of my account in one request.

Items are read by hand rather than through a nested serializer: at 1,000 items DRF's per-field
machinery would cost more than posting them. Each item's bad input is that item's refusal.
"""
from __future__ import annotations

from django.contrib.auth import get_user_model
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from forecourt_core.amounts import parse_amount
from forecourt_core.drf.schema import IDEMPOTENCY_KEY_REQUIRED
from forecourt_core.errors import DomainError, InvalidInput
from forecourt_core.idempotency import require_idempotency_key

from .. import conf, services
from ..errors import RecipientNotFound


class InvalidItem(InvalidInput):
    code = "invalid_item"
    message = "Each item needs a type (transfer or charge_sale) and its fields."


class BatchInput(serializers.Serializer):
    class Meta:
        ref_name = "WalletBatchInput"

    all_or_nothing = serializers.BooleanField(
        default=False, help_text="true: one refused item posts nothing; false: each item posts or is refused alone.")
    items = serializers.ListField(
        child=serializers.DictField(), min_length=1, max_length=services.BATCH_LIMIT,
        help_text='{"type": "transfer", "to_user": id, "amount": "1.00", "memo": ""} or '
                  '{"type": "charge_sale", "phone": "+44...", "amount": "1.00"}')


class BatchResult(serializers.Serializer):
    class Meta:
        ref_name = "WalletBatchResult"

    index = serializers.IntegerField()
    status = serializers.ChoiceField(choices=["posted", "replayed", "refused"])
    transaction = serializers.UUIDField(allow_null=True)
    charge_sale = serializers.UUIDField(allow_null=True)
    code = serializers.CharField(allow_null=True)
    message = serializers.CharField(allow_null=True)


class BatchOutput(serializers.Serializer):
    class Meta:
        ref_name = "WalletBatch"

    posted = serializers.IntegerField()
    refused = serializers.IntegerField()
    results = BatchResult(many=True)


class BatchCreateApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=BatchInput,
        responses={200: BatchOutput},
        parameters=[IDEMPOTENCY_KEY_REQUIRED],
        summary="Post up to 1,000 transfers and charge sales out of my account at once",
        examples=[OpenApiExample("batch", request_only=True, value={"all_or_nothing": False, "items": [
            {"type": "transfer", "to_user": 42, "amount": "12.50", "memo": "lunch"},
            {"type": "charge_sale", "phone": "+44 7911 123456", "amount": "10.00"}]})],
    )
    def post(self, request):
        key = require_idempotency_key(request.headers)
        data = BatchInput(data=request.data)
        data.is_valid(raise_exception=True)
        purpose = conf.get("WALLET_USER_PURPOSE")
        source = services.account_for(request.user, purpose=purpose)
        raw = data.validated_data["items"]
        items = _items(raw, source, purpose)
        outcomes = services.post_batch(items=items, idempotency_key=key, idempotency_scope=f"user:{request.user.pk}",
                                       all_or_nothing=data.validated_data["all_or_nothing"], sold_by=request.user)
        results = [_result(n, o) for n, o in enumerate(outcomes)]
        refused = sum(r["status"] == "refused" for r in results)
        return Response({"posted": len(results) - refused, "refused": refused, "results": results})


def _items(raw: list[dict], source, purpose: str) -> list:
    recipient_ids = {_int(item.get("to_user")) for item in raw if item.get("type") == "transfer"} - {None}
    users = get_user_model().objects.in_bulk(list(recipient_ids)) if recipient_ids else {}
    accounts = services.accounts_for(users.values(), purpose=purpose)
    return [_item(item, source, accounts) for item in raw]


def _item(item: dict, source, accounts: dict):
    try:
        if item.get("type") not in ("transfer", "charge_sale"):
            raise InvalidItem()
        amount = parse_amount(item.get("amount"))
        if item.get("type") == "transfer":
            destination = accounts.get(_int(item.get("to_user")))
            if destination is None:
                raise RecipientNotFound()
            memo = item.get("memo", "")
            if not isinstance(memo, str) or len(memo) > 255:
                raise InvalidItem("memo: at most 255 characters.")
            return services.BatchItem(source=source, destination=destination, amount=amount, memo=memo)
        if item.get("type") == "charge_sale" and isinstance(item.get("phone"), str):
            return services.charge_sale_item(account=source, phone_e164=services.normalize_phone(item["phone"]),
                                             amount=amount)
        raise InvalidItem()
    except DomainError as error:
        return error


def _int(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _result(index: int, outcome) -> dict:
    error, txn = outcome.error, outcome.transaction
    return {"index": index, "status": "refused" if error else "replayed" if outcome.replayed else "posted",
            "transaction": str(txn.pk) if txn else None,
            "charge_sale": str(outcome.charge_sale.pk) if outcome.charge_sale else None,
            "code": error.code if error else None, "message": error.message if error else None}
