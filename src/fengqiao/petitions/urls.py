from django.urls import URLPattern, URLResolver, path

from fengqiao.petitions import views, views_oversight

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
    path("duty/", views_oversight.duty_rota, name="duty"),
    path("supervision/", views_oversight.supervision_list, name="supervision"),
    path("supervision/new/", views_oversight.supervision_new, name="supervision_new"),
    path("supervision/assessment/", views_oversight.supervision_assessment, name="supervision_assessment"),
    path("supervision/<int:pk>/", views_oversight.supervision_detail, name="supervision_detail"),
    path("supervision/<int:pk>/rectify/", views_oversight.supervision_rectify, name="supervision_rectify"),
    path("supervision/<int:pk>/outcome/", views_oversight.supervision_outcome, name="supervision_outcome"),
    path("risk/", views_oversight.risk_list, name="risk"),
    path("risk/new/", views_oversight.risk_new, name="risk_new"),
    path("risk/<int:pk>/", views_oversight.risk_detail, name="risk_detail"),
    path("risk/<int:pk>/act/<str:name>/", views_oversight.risk_act, name="risk_act"),
    path("risk/<int:pk>/conditions/", views_oversight.risk_condition_add, name="risk_condition_add"),
    path(
        "risk/<int:pk>/conditions/<int:condition>/done/",
        views_oversight.risk_condition_done,
        name="risk_condition_done",
    ),
    path("<str:code>/", views.petition_detail, name="detail"),
    path("<str:code>/act/<str:name>/", views.petition_act, name="act"),
]
