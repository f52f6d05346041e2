from django.urls import path

from demo.pages import views

urlpatterns = [path("", views.home, name="home")]
