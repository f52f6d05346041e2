"""Views that raise each kind of error the kernel's exception handler renders; tests only."""
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import OperationalError
from django.http import Http404
from redis.exceptions import ConnectionError as RedisConnectionError
from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.exceptions import Throttled
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from forecourt_core.drf import AmountField, counted_page, csv_response, page_params, paginate
from forecourt_core.errors import Conflict, DomainError, InsufficientFunds, NotFound
from forecourt_core.idempotency import parse_idempotency_key

RAISED = {
    "insufficient": lambda: InsufficientFunds(),
    "custom": lambda: Conflict("The car was sold.", code="car_sold"),
    "locked": lambda: DomainError("Locked for a minute.", code="account_locked", status=429, retry_after=60),
    "fields": lambda: NotFound(fields={"car": ["No such car."]}),
    "http404": lambda: Http404("nope"),
    "denied": lambda: PermissionDenied(),
    "django-validation": lambda: DjangoValidationError({"vin": ["Bad VIN."]}),
    "too-big": lambda: RequestDataTooBig(),
    "throttled": lambda: Throttled(wait=7),
    "database-gone": lambda: OperationalError("server closed the connection unexpectedly"),
    "redis-gone": lambda: RedisConnectionError("Connection refused"),
    "bug": lambda: ZeroDivisionError(),
}


@api_view(["GET"])
@permission_classes([AllowAny])
def raiser(request, kind):
    raise RAISED[kind]()


class PaymentInput(serializers.Serializer):
    amount = AmountField()
    tip = AmountField(allow_zero=True, required=False)
    note = serializers.CharField(max_length=5, required=False)


@api_view(["POST"])
@permission_classes([AllowAny])
def payment(request):
    data = PaymentInput(data=request.data)
    data.is_valid(raise_exception=True)
    key = parse_idempotency_key(request.headers)
    return Response({**PaymentInput(data.validated_data).data, "idempotency_key": key})


class NumberList(ListAPIView):
    permission_classes = [AllowAny]

    def get_queryset(self):
        return list(range(1, 46))

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(page)


class _Number(serializers.Serializer):
    n = serializers.IntegerField(source="*")


@api_view(["GET"])
@permission_classes([AllowAny])
def numbers_counted(request):
    """A list its selector counts and slices itself; ``?capped=1``: its count is not known exactly."""
    page, size = page_params(request)
    numbers = list(range(1, 46))[(page - 1) * size:page * size]
    count = None if request.query_params.get("capped") else 45
    return counted_page(request, results=numbers, count=count, page=page, page_size=size, has_next=page * size < 45,
                        next_cursor=request.query_params.get("next_cursor"))


@api_view(["GET"])
@permission_classes([AllowAny])
def numbers_page(request):
    """A hand-paginated list, as a thin APIView pages a selector's queryset."""
    if request.query_params.get("download"):
        return csv_response("n\n1\n", "numbers.csv")
    return paginate(None, request, list(range(1, 46)), _Number)
