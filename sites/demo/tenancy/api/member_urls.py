from django.urls import path

from tenancy.api import members

app_name = "members"
urlpatterns = [
    path("", members.MemberListAddApi.as_view(), name="list"),
    path("<int:member>/", members.MemberDetailApi.as_view(), name="detail"),
    path("<int:member>/deactivate/", members.MemberDeactivateApi.as_view(), name="deactivate"),
]
