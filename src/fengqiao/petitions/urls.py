from django.urls import URLPattern, URLResolver, path

from fengqiao.petitions import views

app_name = "petitions"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.petition_list, name="list"),
    path("new/", views.petition_new, name="new"),
    path("meetings/", views.meeting_list, name="meetings"),
    path("meetings/new/", views.meeting_new, name="meeting_new"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/orders/<int:pk>/complete/", views.order_complete, name="order_complete"),
    path("mine/", views.my_cases, name="my_cases"),
    path("cases/new/", views.case_new, name="case_new"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/milestones/<int:milestone>/done/", views.case_milestone_done, name="case_milestone_done"),
    path("cases/<int:pk>/resolve/", views.case_resolve, name="case_resolve"),
    path("<str:code>/", views.petition_detail, name="detail"),
    path("<str:code>/act/<str:name>/", views.petition_act, name="act"),
]
