from django.urls import path

from tenancy.api import views

app_name = "tenancy"
urlpatterns = [
    path("", views.DealershipListCreateApi.as_view(), name="dealerships"),
    path("<slug:slug>/follow/", views.DealershipFollowApi.as_view(), name="follow"),
]
