"""Thin DRF views: validate input, call one service or selector, serialise the result."""

from __future__ import annotations

import csv

from django.contrib.auth import get_user_model
from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from forecourt_core.drf import AmountField, KeysetPagination, Pagination, paginate, query_params, represent, validated
from forecourt_core.drf.schema import IDEMPOTENCY_KEY_REQUIRED
from forecourt_core.idempotency import require_idempotency_key

from .. import conf, selectors, services
from ..errors import RecipientNotFound
from ..models import Account, CreditRequest


def is_wallet_staff(user) -> bool:
    return bool(user.is_staff or user.has_perm("wallet.decide_creditrequest"))


def can_view_any_account(user) -> bool:
    return bool(user.is_staff or user.has_perm("wallet.view_account"))


def user_scope(user) -> str:
    return f"user:{user.pk}"


class AccountOutput(serializers.Serializer):
    # Declared, not a ModelSerializer: DRF rebuilds a ModelSerializer's fields from the model on every
    # instance, which cost more than the accounts query itself on the balance read (bench/http_bench.py).
    class Meta:
        ref_name = "WalletAccount"

    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(help_text="Name of a system account.")
    purpose = serializers.CharField()
    currency = serializers.CharField()
    status = serializers.ChoiceField(choices=Account.Status.choices)
    balance = serializers.DecimalField(max_digits=18, decimal_places=2, read_only=True)
    held = serializers.DecimalField(max_digits=18, decimal_places=2)
    available = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField(read_only=True)

    def get_available(self, obj) -> str:
        return str(obj.balance - obj.held)


class TransactionOutput(serializers.Serializer):
    class Meta:
        ref_name = "WalletTransaction"

    id = serializers.UUIDField()
    kind = serializers.CharField()
    memo = serializers.CharField()
    created_at = serializers.DateTimeField()


def _my_account(request, pk: int) -> Account:
    account = Account.objects.filter(pk=pk).first()
    if account is None:
        raise NotFound()
    if not (selectors.owned_by(account, request.user) or can_view_any_account(request.user)):
        raise NotFound()  # don't reveal other people's accounts
    return account


class AccountListApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=AccountOutput(many=True), summary="My accounts with balance, held and available")
    def get(self, request):
        purpose = conf.get("WALLET_USER_PURPOSE")
        accounts = selectors.accounts_of(request.user)
        if not any(a.purpose == purpose for a in accounts):  # first visit: open it (one query saved after)
            services.account_for(request.user, purpose=purpose)
            accounts = selectors.accounts_of(request.user)
        return Response(AccountOutput(accounts, many=True).data)


class StatementApi(APIView):
    permission_classes = [IsAuthenticated]
    # The page this view returns, for the OpenAPI schema: either kind, so `count` may be null.
    pagination_class = KeysetPagination

    class FilterSerializer(serializers.Serializer):
        class Meta:
            ref_name = "WalletStatementFilter"

        date_from = serializers.DateField(required=False)
        date_to = serializers.DateField(required=False)

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "WalletStatementEntry"

        id = serializers.IntegerField()
        transaction = serializers.UUIDField(source="transaction_id")
        kind = serializers.CharField(source="transaction.kind")
        memo = serializers.CharField(source="transaction.memo")
        amount = serializers.DecimalField(max_digits=18, decimal_places=2)
        balance_after = serializers.DecimalField(max_digits=18, decimal_places=2)
        created_at = serializers.DateTimeField()

    def entries(self, request, pk):
        account = _my_account(request, pk)
        filters = self.FilterSerializer(data=query_params(request))
        filters.is_valid(raise_exception=True)
        return selectors.entry_list(account=account, **filters.validated_data)

    @extend_schema(
        parameters=[
            FilterSerializer,
            OpenApiParameter(
                "cursor",
                OpenApiTypes.STR,
                description="Cursor mode: pass it empty for the first page, then follow `next`. No `count`; "
                "every page costs the same however long the statement (page numbers slow down with depth).",
            ),
            OpenApiParameter("page", OpenApiTypes.INT, description="Page number mode (without `cursor`): from 1."),
        ],
        responses=OutputSerializer(many=True),
        summary="Statement of one of my accounts (newest first, paginated)",
    )
    def get(self, request, pk: int):
        # Cursor mode: keyset pages over the (account, created_at, id) index, so the last page of a long
        # statement costs what the first costs (page numbers pay a COUNT and an OFFSET that grow with it).
        cursor_mode = "cursor" in request.query_params
        paginator = KeysetPagination() if cursor_mode else Pagination()
        page = paginator.paginate_queryset(self.entries(request, pk), request, view=self)
        return paginator.get_paginated_response(self.OutputSerializer(page, many=True).data)


class _Echo:
    def write(self, value):
        return value


class StatementCsvApi(StatementApi):
    @extend_schema(
        parameters=[StatementApi.FilterSerializer],
        responses={(200, "text/csv"): OpenApiTypes.STR},
        summary="Statement as CSV (whole filtered range, streamed)",
    )
    def get(self, request, pk: int):
        entries = self.entries(request, pk)
        writer = csv.writer(_Echo())
        header = ["entry", "transaction", "created_at", "kind", "memo", "amount", "balance_after"]

        def rows():
            yield writer.writerow(header)
            for e in entries.iterator(chunk_size=2000):
                yield writer.writerow(
                    [
                        e.pk,
                        e.transaction_id,
                        e.created_at.isoformat(),
                        e.transaction.kind,
                        e.transaction.memo,
                        e.amount,
                        e.balance_after,
                    ]
                )

        response = StreamingHttpResponse(rows(), content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="statement-{pk}.csv"'
        return response


class TransferCreateApi(APIView):
    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "WalletTransferInput"

        to_user = serializers.IntegerField(help_text="Recipient user id.")
        amount = AmountField()
        memo = serializers.CharField(max_length=255, required=False, default="", allow_blank=True)

    @extend_schema(
        request=InputSerializer,
        responses={201: TransactionOutput},
        parameters=[IDEMPOTENCY_KEY_REQUIRED],
        summary="Send money from my account to another user's",
        examples=[
            OpenApiExample("transfer", value={"to_user": 42, "amount": "12.50", "memo": "lunch"}, request_only=True)
        ],
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        amount = data.validated_data["amount"]
        recipient = get_user_model().objects.filter(pk=data.validated_data["to_user"]).first()
        if recipient is None:
            raise RecipientNotFound()
        purpose = conf.get("WALLET_USER_PURPOSE")
        txn = services.transfer(
            source=services.account_for(request.user, purpose=purpose),
            destination=services.account_for(recipient, purpose=purpose),
            amount=amount,
            memo=data.validated_data["memo"],
            idempotency_key=require_idempotency_key(request.headers),
            idempotency_scope=user_scope(request.user),
        )
        return Response(TransactionOutput(txn).data, status=status.HTTP_201_CREATED)


class CreditRequestOutput(serializers.ModelSerializer):
    transaction = serializers.UUIDField(source="transaction_id", allow_null=True)

    class Meta:
        model = CreditRequest
        ref_name = "WalletCreditRequest"
        fields = [
            "id",
            "account",
            "amount",
            "note",
            "status",
            "requested_by",
            "decided_by",
            "decided_at",
            "transaction",
            "created_at",
        ]


class CreditRequestListCreateApi(APIView):
    pagination_class = Pagination  # the page this view returns, for the OpenAPI schema
    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "WalletCreditRequestInput"

        amount = AmountField()
        note = serializers.CharField(max_length=255, required=False, default="", allow_blank=True)

    @extend_schema(responses=CreditRequestOutput(many=True), summary="My credit requests")
    def get(self, request):
        account = services.account_for(request.user, purpose=conf.get("WALLET_USER_PURPOSE"))
        return paginate(self, request, selectors.credit_request_list(account=account), CreditRequestOutput)

    @extend_schema(
        request=InputSerializer,
        responses={201: CreditRequestOutput},
        summary="Ask for seller credit",
        examples=[OpenApiExample("request", value={"amount": "500.00", "note": "weekend stock"}, request_only=True)],
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        credit_request = services.credit_request_create(
            account=services.account_for(request.user, purpose=conf.get("WALLET_USER_PURPOSE")),
            amount=data.validated_data["amount"],
            requested_by=request.user,
            note=data.validated_data["note"],
        )
        return Response(CreditRequestOutput(credit_request).data, status=status.HTTP_201_CREATED)


class StaffPermissionMixin:
    permission_classes = [IsAuthenticated]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not is_wallet_staff(request.user):
            raise PermissionDenied()


class CreditRequestStaffListApi(StaffPermissionMixin, APIView):
    pagination_class = Pagination  # the page this view returns, for the OpenAPI schema
    class FilterSerializer(serializers.Serializer):
        class Meta:
            ref_name = "WalletCreditRequestFilter"

        status = serializers.ChoiceField(choices=CreditRequest.Status.choices, required=False)

    @extend_schema(
        parameters=[FilterSerializer], responses=CreditRequestOutput(many=True), summary="All credit requests (staff)"
    )
    def get(self, request):
        filters = self.FilterSerializer(data=query_params(request))
        filters.is_valid(raise_exception=True)
        return paginate(self, request, selectors.credit_request_list(**filters.validated_data), CreditRequestOutput)


class CreditRequestDecideApi(StaffPermissionMixin, APIView):
    def _credit_request(self, pk: int) -> CreditRequest:
        credit_request = CreditRequest.objects.filter(pk=pk).first()
        if credit_request is None:
            raise NotFound()
        return credit_request


class CreditRequestApproveApi(CreditRequestDecideApi):
    @extend_schema(request=None, responses=CreditRequestOutput, parameters=[IDEMPOTENCY_KEY_REQUIRED],
                   summary="Approve a credit request and credit the seller (staff, once)")
    def post(self, request, pk: int):
        key = require_idempotency_key(request.headers)  # approving moves money: the approver's retry is answered once
        approved = services.credit_request_approve(credit_request=self._credit_request(pk), decided_by=request.user,
                                                   idempotency_key=key)
        return Response(CreditRequestOutput(approved).data)


class CreditRequestRejectApi(CreditRequestDecideApi):
    @extend_schema(request=None, responses=CreditRequestOutput, summary="Reject a credit request (staff, once)")
    def post(self, request, pk: int):
        rejected = services.credit_request_reject(credit_request=self._credit_request(pk), decided_by=request.user)
        return Response(CreditRequestOutput(rejected).data)


class ChargeSaleOutput(serializers.Serializer):
    class Meta:
        ref_name = "WalletChargeSale"

    id = serializers.UUIDField()
    account = serializers.IntegerField(source="account_id")
    phone = serializers.CharField()
    amount = serializers.DecimalField(max_digits=18, decimal_places=2)
    transaction = serializers.UUIDField(source="transaction_id")
    created_at = serializers.DateTimeField()


class ChargeSaleListCreateApi(APIView):
    pagination_class = Pagination  # the page this view returns, for the OpenAPI schema
    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "WalletChargeSaleInput"

        phone = serializers.CharField(max_length=32, help_text="International (+44...) or local to the region of the "
                                                               "deployment (FORECOURT_PHONE_REGION) or dealership.")
        amount = AmountField()

    @extend_schema(responses=ChargeSaleOutput(many=True), summary="My charge sales")
    def get(self, request):
        account = services.account_for(request.user, purpose=conf.get("WALLET_USER_PURPOSE"))
        return paginate(self, request, selectors.charge_sale_list(account=account), ChargeSaleOutput)

    @extend_schema(
        request=InputSerializer,
        responses={201: ChargeSaleOutput},
        parameters=[IDEMPOTENCY_KEY_REQUIRED],
        summary="Sell prepaid charge to a phone number out of my credit",
        examples=[OpenApiExample("sale", value={"phone": "+44 7911 123456", "amount": "10.00"}, request_only=True)],
    )
    def post(self, request):
        data = validated(self.InputSerializer, request.data)  # its fields built once per process
        sale = services.charge_sale_create(
            seller=request.user,
            phone=data["phone"],
            amount=data["amount"],
            sold_by=request.user,
            idempotency_key=require_idempotency_key(request.headers),
            idempotency_scope=user_scope(request.user),
        )
        return Response(represent(ChargeSaleOutput, sale), status=status.HTTP_201_CREATED)


class AccountLookupApi(APIView):
    pagination_class = Pagination  # the page this view returns, for the OpenAPI schema
    permission_classes = [IsAuthenticated]

    class FilterSerializer(serializers.Serializer):
        class Meta:
            ref_name = "WalletAccountLookupFilter"

        q = serializers.CharField(required=False, default="")
        name = serializers.CharField(required=False, default="")
        owner_type = serializers.CharField(required=False, default="", help_text="app_label.model")
        owner_id = serializers.CharField(required=False, default="")

    class OutputSerializer(AccountOutput):
        class Meta:
            ref_name = "WalletAccountLookup"

        owner_type = serializers.SerializerMethodField()
        owner_id = serializers.CharField()
        allow_overdraft = serializers.BooleanField()

        def get_owner_type(self, obj) -> str | None:
            return f"{obj.owner_type.app_label}.{obj.owner_type.model}" if obj.owner_type_id else None

    @extend_schema(
        parameters=[FilterSerializer], responses=OutputSerializer(many=True), summary="Find accounts (staff)"
    )
    def get(self, request):
        if not can_view_any_account(request.user):
            raise PermissionDenied()
        filters = self.FilterSerializer(data=query_params(request))
        filters.is_valid(raise_exception=True)
        return paginate(self, request, selectors.account_search(**filters.validated_data), self.OutputSerializer)
