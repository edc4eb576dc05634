from django.urls import URLPattern, URLResolver, path

from fengqiao.disputes import views, views_field

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
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/act/<str:name>/", views.act, name="act"),
    path("<str:code>/agreements/<int:version>.<str:fmt>", views.agreement_file, name="agreement_file"),
    path("<str:code>/agreements/<int:version>/signed/", views.agreement_signed, name="agreement_signed"),
    path("<str:code>/referral.pdf", views.referral_file, name="referral_file"),
]
