from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from accounts.backends import current_role
from accounts.errors import AccountLocked
from accounts.services import user_register
from accounts.throttling import SignInThrottle, account_lock_seconds, account_locked_message


class AuthThrottled:
    throttle_classes = [SignInThrottle]


class TokenObtainApi(AuthThrottled, TokenObtainPairView):
    def post(self, request, *args, **kwargs):
        locked = account_lock_seconds(request.data.get("username") if isinstance(request.data, dict) else None)
        if locked:  # checked before the password, so a locked account leaks nothing about it
            raise AccountLocked(account_locked_message(locked), retry_after=locked)
        return super().post(request, *args, **kwargs)


class TokenRefreshApi(AuthThrottled, TokenRefreshView):
    pass


class UserOutput(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    email = serializers.CharField(help_text="E-mail address; empty when none was given")
    is_staff = serializers.BooleanField()


class RegisterApi(AuthThrottled, APIView):
    permission_classes = [permissions.AllowAny]

    class InputSerializer(serializers.Serializer):
        username = serializers.RegexField(r"^[\w.@+-]{3,150}$")
        password = serializers.CharField(write_only=True, max_length=128)
        email = serializers.EmailField(required=False, allow_blank=True)

        def validate_username(self, value):
            if get_user_model().objects.filter(username__iexact=value).exists():
                raise serializers.ValidationError("This username is taken.", code="username_taken")
            return value

    class OutputSerializer(UserOutput):
        access = serializers.CharField(help_text="JWT access token, as /api/auth/token/ gives")
        refresh = serializers.CharField(help_text="JWT refresh token, for /api/auth/token/refresh/")

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            user = user_register(**data.validated_data)
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"password": exc.messages}, code="invalid_password") from exc
        # Signed in at once: a second call to /api/auth/token/ would spend the sign-in budget for nothing.
        refresh = RefreshToken.for_user(user)
        body = {**UserOutput(user).data, "access": str(refresh.access_token), "refresh": str(refresh)}
        return Response(self.OutputSerializer(body).data, status=status.HTTP_201_CREATED)


class MeApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    class OutputSerializer(UserOutput):
        role = serializers.CharField(allow_null=True, help_text="Role in the dealership of this host")
        memberships = serializers.ListField(child=serializers.DictField())

    @extend_schema(responses=OutputSerializer)
    def get(self, request):
        user = request.user
        memberships = [
            {"dealership": m.dealership.slug, "name": m.dealership.name, "role": m.role}
            for m in user.memberships.filter(is_active=True).select_related("dealership")
        ]
        payload = {**UserOutput(user).data, "role": current_role(user), "memberships": memberships}
        return Response(self.OutputSerializer(payload).data)
