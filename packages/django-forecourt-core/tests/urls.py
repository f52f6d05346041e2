from django.urls import path

from . import views

urlpatterns = [
    path("raise/<str:kind>/", views.raiser),
    path("pay/", views.payment),
    path("numbers/", views.NumberList.as_view()),
    path("numbers/by-hand/", views.numbers_page),
    path("numbers/counted/", views.numbers_counted),
]
