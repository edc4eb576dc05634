from django.urls import URLPattern, URLResolver, path

from fengqiao.disputes import views, views_field, views_online, views_referrals, views_routing

app_name = "disputes"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.queue, name="queue"),
    path("mine/", views.mine, name="mine"),
    path("new/", views.new, name="new"),
    path("field/new/", views_field.field_new, name="field_new"),
    path("field/done/<str:code>/", views_field.field_done, name="field_done"),
    path("library/", views.library, name="library"),
    path("figures/", views.figures, name="figures"),
    path("organisations/", views.organisations, name="organisations"),
    path("poster/<str:grid_code>/", views.poster, name="poster"),
    path("apply/<str:grid_code>/", views.apply, name="apply"),
    path("track/", views.track_lookup, name="track_lookup"),
    path("track/<str:code>/", views.track, name="track"),
    path("track/<str:code>/rate/", views_online.track_rate, name="track_rate"),
    path("p/<str:token>/", views_online.party_home, name="party_home"),
    path("p/<str:token>/join/<int:session_id>/", views_online.party_join, name="party_join"),
    path("p/<str:token>/sign/<str:kind>/<int:pk>/", views_online.party_sign, name="party_sign"),
    path("p/<str:token>/rate/", views_online.party_rate, name="party_rate"),
    path("<str:code>/parties/<int:party_id>/link/", views_online.issue_link, name="party_link"),
    path("<str:code>/parties/<int:party_id>/link/revoke/", views_online.revoke_link, name="party_link_revoke"),
    path("<str:code>/online/schedule/", views_online.schedule, name="online_schedule"),
    path("<str:code>/online/<int:session_id>/notes/", views_online.write_up, name="online_write_up"),
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/act/<str:name>/", views.act, name="act"),
    path("<str:code>/route/<str:name>/", views_routing.route, name="route"),
    path("<str:code>/agreements/<int:version>.<str:fmt>", views.agreement_file, name="agreement_file"),
    path("<str:code>/agreements/<int:version>/signed/", views.agreement_signed, name="agreement_signed"),
    path("<str:code>/referral.pdf", views.referral_file, name="referral_file"),
    path("<str:code>/feedback.pdf", views_referrals.feedback_file, name="feedback_file"),
    path("<str:code>/duplicate/clear/", views_referrals.clear_duplicate, name="clear_duplicate"),
]
