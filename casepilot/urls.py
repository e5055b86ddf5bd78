from django.urls import path

from . import views

app_name = "casepilot"

urlpatterns = [
    path("casepilot/", views.index, name="index"),
    path("consult/", views.consultant, name="consultant"),
]
