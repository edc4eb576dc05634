from django.urls import path

from fengqiao.events import views, views_whistle, webhooks

app_name = "events"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("department/", views.department_queue, name="department"),
    path("mine/", views.mine, name="mine"),
    path("report/", views.report, name="report"),
    path("hotline/", views.hotline, name="hotline"),
    path("r/<str:grid_code>/", views.public_report, name="public_report"),
    path("poster/<str:grid_code>/", views.poster, name="poster"),
    path("track/", views.track_lookup, name="track_lookup"),
    path("track/<str:code>/", views.track, name="track"),
    path("iot/<str:device_code>/", webhooks.iot_alarm, name="iot"),
    path("extensions/<int:pk>/decide/", views.decide_extension, name="decide_extension"),
    path("whistles/", views_whistle.my_whistles, name="whistles"),
    path("whistles/ranking/", views_whistle.ranking, name="whistle_ranking"),
    path("summons/<int:pk>/<str:step>/", views_whistle.summons_step, name="summons_step"),
    path("spot/", views_whistle.solve_on_the_spot, name="spot"),
    path("spot/checks/", views_whistle.spot_checks, name="spot_checks"),
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/act/<str:name>/", views.act, name="act"),
    path("<str:code>/whistle/", views_whistle.whistle, name="whistle"),
]
