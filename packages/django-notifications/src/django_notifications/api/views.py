"""Thin DRF views: validate input, call one service or selector, serialise the result."""
from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from forecourt_core.drf import Pagination, query_params

from .. import conf, selectors, services


class NotificationOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    title = serializers.CharField()
    body = serializers.CharField()
    link = serializers.CharField()
    data = serializers.JSONField()
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)


class NotificationListApi(APIView):
    pagination_class = Pagination  # the page this view returns, for the OpenAPI schema
    permission_classes = [IsAuthenticated]

    class FilterSerializer(serializers.Serializer):
        # Exactly the schema's boolean ("true" or "false"); DRF's BooleanField would also take "null", "1", "yes".
        unread = serializers.ChoiceField(choices=["true", "false"], required=False)

    @extend_schema(
        parameters=[
            OpenApiParameter("unread", bool), OpenApiParameter("page", int), OpenApiParameter("page_size", int)
        ],
        responses=NotificationOutput(many=True),
    )
    def get(self, request):
        filters = self.FilterSerializer(data=query_params(request))
        filters.is_valid(raise_exception=True)
        unread = {"true": True, "false": False}.get(filters.validated_data.get("unread"))
        qs = selectors.notification_list(user=request.user, unread=unread)
        paginator = Pagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(NotificationOutput(page, many=True).data)


class UnreadCountApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=inline_serializer("UnreadCount", {"count": serializers.IntegerField()}))
    def get(self, request):
        return Response({"count": selectors.unread_count(user=request.user)})


class MarkReadApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=NotificationOutput)
    def post(self, request, pk: int):
        note = services.mark_read(user=request.user, notification_id=pk)
        return Response(NotificationOutput(note).data)


class MarkAllReadApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=inline_serializer("MarkAllRead", {"updated": serializers.IntegerField()}))
    def post(self, request):
        return Response({"updated": services.mark_all_read(user=request.user)})


class PreferencesApi(APIView):
    permission_classes = [IsAuthenticated]

    class PreferenceSerializer(serializers.Serializer):
        kind = serializers.CharField(max_length=64)
        channel = serializers.ChoiceField(choices=conf.CHANNELS)
        enabled = serializers.BooleanField()

    class InputSerializer(serializers.Serializer):
        preferences = serializers.ListField(child=serializers.DictField(), max_length=500)

        def validate_preferences(self, value):
            items = PreferencesApi.PreferenceSerializer(data=value, many=True)
            items.is_valid(raise_exception=True)
            return items.validated_data

    class OutputSerializer(serializers.Serializer):
        defaults = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
        preferences = serializers.ListField(child=serializers.DictField())

    def _output(self, user) -> dict:
        prefs = [
            {"kind": p.kind, "channel": p.channel, "enabled": p.enabled} for p in selectors.preference_list(user=user)
        ]
        return self.OutputSerializer({"defaults": conf.default_channels(), "preferences": prefs}).data

    @extend_schema(responses=OutputSerializer)
    def get(self, request):
        return Response(self._output(request.user))

    @extend_schema(request=InputSerializer, responses=OutputSerializer)
    def put(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.preferences_set(user=request.user, items=[dict(i) for i in data.validated_data["preferences"]])
        return Response(self._output(request.user), status=status.HTTP_200_OK)
