from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("profile/", views.home, name="home"),
    path("tokens/", views.create_token, name="create_token"),
    path("tokens/<int:token_id>/revoke/", views.revoke_token, name="revoke_token"),
    path("export.json", views.export_json, name="export_json"),
    path("delete/", views.delete_account, name="delete"),
]
