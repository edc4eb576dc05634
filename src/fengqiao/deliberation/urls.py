from django.urls import path

from fengqiao.deliberation import views

app_name = "deliberation"

urlpatterns = [
    path("", views.index, name="index"),
    # The public pages need no account: the community's printed QR token (its points scheme's), and the resident's
    # personal code.
    path("c/<str:token>/", views.public, name="public"),
    path("c/<str:token>/t/<str:code>/", views.public_topic, name="public_topic"),
    path("c/<str:token>/board/", views.board, name="board"),
    path("me/", views.me, name="me"),
    path("t/<str:code>/", views.topic, name="topic"),
    path("<str:code>/", views.community, name="community"),
    path("<str:code>/households/", views.households, name="households"),
    path("<str:code>/notices/", views.notices, name="notices"),
]
