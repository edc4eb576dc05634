from django.urls import path

from fengqiao.participation import views

app_name = "participation"

urlpatterns = [
    path("", views.index, name="index"),
    # The resident's pages need no account: the community's printed QR token, and the personal code.
    path("c/<str:token>/", views.register, name="register"),
    path("c/<str:token>/ranking/", views.ranking, name="ranking"),
    path("me/", views.me, name="me"),
    path("me/task/", views.me_task, name="me_task"),
    path("entries/<int:pk>/reverse/", views.reverse_entry, name="reverse"),
    path("<str:code>/", views.community, name="community"),
    path("<str:code>/award/", views.award, name="award"),
    path("<str:code>/p/<int:pk>/", views.participant, name="participant"),
    path("<str:code>/p/<int:pk>/reissue/", views.reissue, name="reissue"),
    path("<str:code>/shop/", views.shop, name="shop"),
    path("<str:code>/manage/", views.manage, name="manage"),
    path("<str:code>/tasks/", views.tasks, name="tasks"),
    path("<str:code>/tasks/<int:pk>/", views.task, name="task"),
    path("<str:code>/teams/<int:pk>/", views.team, name="team"),
    path("<str:code>/party/", views.party, name="party"),
]
