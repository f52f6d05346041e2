"""A dealership's members, on its own host: the dealer manages every role, HR the staff roles.

Thin views over tenancy.services.member_*; which roles a caller may touch is the service's rule."""
from django.db import connection
from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.roles import ROLE_CHOICES, role_label
from forecourt_core.drf import Pagination
from tenancy import selectors, services
from tenancy.models import Membership


class CanManageMembers(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        if not request.user.has_perm("tenancy.manage_members"):
            raise PermissionDenied("Your role in this dealership cannot manage members.")
        return True


class MemberOutput(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField(source="user.username")
    email = serializers.CharField(source="user.email")
    role = serializers.CharField()
    role_label = serializers.SerializerMethodField()
    is_active = serializers.BooleanField()

    def get_role_label(self, obj) -> str:
        return role_label(obj.role)


class MemberListAddApi(generics.GenericAPIView):
    permission_classes = [permissions.IsAuthenticated, CanManageMembers]
    pagination_class = Pagination
    serializer_class = MemberOutput

    class InputSerializer(serializers.Serializer):
        user = serializers.CharField(max_length=254, help_text="The user's username or e-mail address.")
        role = serializers.ChoiceField(choices=ROLE_CHOICES)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema is built with no dealership current
            return Membership.objects.none()
        return selectors.member_list(dealership=connection.tenant)

    @extend_schema(responses=MemberOutput(many=True))
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(MemberOutput(page, many=True).data)

    @extend_schema(request=InputSerializer, responses={201: MemberOutput})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        membership = services.member_add(dealership=connection.tenant, identifier=data.validated_data["user"],
                                         role=data.validated_data["role"], by=request.user)
        return Response(MemberOutput(membership).data, status=status.HTTP_201_CREATED)


class MemberDetailApi(APIView):
    permission_classes = [permissions.IsAuthenticated, CanManageMembers]

    class InputSerializer(serializers.Serializer):
        role = serializers.ChoiceField(choices=ROLE_CHOICES)

    @extend_schema(responses=MemberOutput)
    def get(self, request, member: int):
        return Response(MemberOutput(selectors.member_get(dealership=connection.tenant, pk=member)).data)

    @extend_schema(request=InputSerializer, responses=MemberOutput)
    def patch(self, request, member: int):
        membership = selectors.member_get(dealership=connection.tenant, pk=member)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        membership = services.member_role_change(membership=membership, role=data.validated_data["role"],
                                                 by=request.user)
        return Response(MemberOutput(membership).data)


class MemberDeactivateApi(APIView):
    permission_classes = [permissions.IsAuthenticated, CanManageMembers]

    @extend_schema(request=None, responses=MemberOutput)
    def post(self, request, member: int):
        membership = selectors.member_get(dealership=connection.tenant, pk=member)
        membership = services.member_deactivate(membership=membership, by=request.user)
        return Response(MemberOutput(membership).data)
