from django.urls import path

from . import assistant, consult_views, views

app_name = "casepilot"

urlpatterns = [
    path("casepilot/", assistant.index, name="index"),
    path("casepilot/a/<str:slug>/", assistant.answer, name="answer"),
    path("casepilot/a/<str:slug>/rate/", assistant.rate, name="rate"),
    path("casepilot/a/<str:slug>/share/", assistant.share, name="share"),
    path("api/v1/casepilot/ask", assistant.api_ask, name="api_ask"),
    path("consult/", consult_views.consultant, name="consultant"),
    path("consult/new/", consult_views.new, name="consult_new"),
    path("consult/<int:pk>/", consult_views.consultation, name="consultation"),
    path("consult/<int:pk>/reply/", consult_views.reply, name="consult_reply"),
    path("consult/<int:pk>/claim/", consult_views.claim, name="consult_claim"),
    path("consult/<int:pk>/answer/", consult_views.answer, name="consult_answer"),
    path("consult/<int:pk>/close/", consult_views.close, name="consult_close"),
    path("consult/attachments/<int:pk>/", consult_views.attachment, name="consult_attachment"),
    path("consult/queue/", consult_views.queue, name="consult_queue"),
    path("consult/inbound/", consult_views.inbound, name="consult_inbound"),
    path("guides/", views.guide_list, name="guides"),
    path("guides/<slug:slug>/", views.guide, name="guide"),
]
