from django.urls import path

from accounts.api import views

app_name = "auth"
urlpatterns = [
    path("register/", views.RegisterApi.as_view(), name="register"),
    path("token/", views.TokenObtainApi.as_view(), name="token"),
    path("token/refresh/", views.TokenRefreshApi.as_view(), name="token-refresh"),
    path("me/", views.MeApi.as_view(), name="me"),
]
