from django.contrib.auth import get_user_model
from django_tenants.utils import get_public_schema_name
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from tenancy.models import PHONE_REGIONS, Dealership
from tenancy.selectors import dealership_list_for
from tenancy.services import dealership_create, dealership_domain, dealership_follow, dealership_unfollow


class DealershipOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()
    schema_name = serializers.CharField()
    phone_region = serializers.CharField()
    domain = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    def get_domain(self, obj) -> str:
        return dealership_domain(obj.slug)


class DealershipListCreateApi(APIView):
    """Platform admins create dealerships; everyone signed in lists the ones they belong to."""

    permission_classes = [permissions.IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=120)
        slug = serializers.CharField(max_length=63)
        owner = serializers.SlugRelatedField(
            slug_field="username", queryset=get_user_model().objects.all(), required=False, allow_null=True
        )
        phone_region = serializers.ChoiceField(choices=PHONE_REGIONS, required=False, default="",
                                               help_text="Region of local phone numbers (ISO 3166, e.g. GB)")

    @extend_schema(responses=DealershipOutput(many=True))
    def get(self, request):
        return Response(DealershipOutput(dealership_list_for(user=request.user), many=True).data)

    @extend_schema(request=InputSerializer, responses={201: DealershipOutput})
    def post(self, request):
        if not request.user.is_staff:
            raise PermissionDenied("Only platform admins create dealerships.")
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        dealership = dealership_create(**data.validated_data)
        return Response(DealershipOutput(dealership).data, status=status.HTTP_201_CREATED)


class DealershipFollowApi(APIView):
    """Follow a dealership to hear of its new listings; DELETE stops it. Both idempotent."""

    permission_classes = [permissions.IsAuthenticated]

    def _dealership(self, slug: str) -> Dealership:
        dealership = Dealership.objects.exclude(schema_name=get_public_schema_name()).filter(slug=slug).first()
        if dealership is None:
            raise NotFound("No such dealership.")
        return dealership

    @extend_schema(request=None, responses={204: None})
    def post(self, request, slug: str):
        dealership_follow(user=request.user, dealership=self._dealership(slug))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, slug: str):
        dealership_unfollow(user=request.user, dealership=self._dealership(slug))
        return Response(status=status.HTTP_204_NO_CONTENT)
