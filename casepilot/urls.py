from django.urls import path

from . import assistant, views

app_name = "casepilot"

urlpatterns = [
    path("casepilot/", assistant.index, name="index"),
    path("casepilot/a/<str:slug>/", assistant.answer, name="answer"),
    path("casepilot/a/<str:slug>/rate/", assistant.rate, name="rate"),
    path("api/v1/casepilot/ask", assistant.api_ask, name="api_ask"),
    path("consult/", views.consultant, name="consultant"),
]
