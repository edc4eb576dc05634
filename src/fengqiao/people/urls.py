"""Pages of the base data (namespace ``people``, mounted at ``/people/``); each area appends its own paths."""

from django.urls import path

from fengqiao.people import views, views_import, views_key, views_rental

app_name = "people"

urlpatterns = [
    # Rentals and floating population (people.views_rental).
    path("rentals/", views_rental.rental_list, name="rental_list"),
    path("rentals/new/", views_rental.rental_new, name="rental_new"),
    path("rentals/<int:pk>/card/", views_rental.rental_card, name="rental_card"),
    path("rentals/<int:pk>/end/", views_rental.rental_end, name="rental_end"),
    path("tenancies/", views_rental.tenancy_queue, name="tenancy_queue"),
    path("tenancies/<int:pk>/", views_rental.tenancy_detail, name="tenancy_detail"),
    path("tenancies/<int:pk>/<str:action>/", views_rental.tenancy_act, name="tenancy_act"),
    path("q/<str:room_code>/", views_rental.tenant_form, name="tenant_form"),
    path("tenant/", views_rental.tenant_status, name="tenant_status"),
    # Importing and exporting the persons register (people.views_import).
    path("import/", views_import.import_persons, name="import"),
    path("import/template/", views_import.import_template, name="import_template"),
    path("import/errors/", views_import.import_report, name="import_report"),
    path("export/", views_import.export_page, name="export"),
    path("export/download/", views_import.export_persons, name="export_persons"),
    # Key persons (people.views_key): need-to-know, each record looked up through people.keypersons.
    path("key/", views_key.key_list, name="key_list"),
    path("key/mine/", views_key.key_mine, name="key_mine"),
    path("key/new/<int:person_pk>/", views_key.key_new, name="key_new"),
    path("key/<int:pk>/", views_key.key_detail, name="key_detail"),
    path("key/<int:pk>/visit/", views_key.key_visit, name="key_visit"),
    path("key/<int:pk>/reveal/", views_key.key_reveal, name="key_reveal"),
    path("key/<int:pk>/act/<str:action>/", views_key.key_act, name="key_act"),
    # Base data 人地事物组织 and the personal-information duties (people.views).
    path("", views.index, name="index"),
    path("find/", views.find, name="find"),
    path("pii/", views.pii_notice, name="pii_notice"),
    path("grid/<str:code>/", views.grid_profile, name="grid_profile"),
    path("grid/<str:code>/buildings/new/", views.building_form, name="building_new"),
    path("grid/<str:code>/places/new/", views.place_form, name="place_new"),
    path("grid/<str:code>/organisations/new/", views.organisation_form, name="organisation_new"),
    path("buildings/<int:pk>/", views.building, name="building"),
    path("buildings/<int:pk>/edit/", views.building_form, name="building_edit"),
    path("buildings/<int:building_pk>/rooms/new/", views.room_form, name="room_new"),
    path("rooms/<int:pk>/", views.room, name="room"),
    path("rooms/<int:pk>/edit/", views.room_form, name="room_edit"),
    path("rooms/<int:room_pk>/persons/new/", views.person_new, name="person_new"),
    path("residences/<int:pk>/end/", views.residence_end, name="residence_end"),
    path("persons/<int:pk>/", views.person, name="person"),
    path("persons/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("persons/<int:pk>/export/", views.person_export, name="person_export"),
    path("persons/<int:pk>/erase/", views.person_erase, name="person_erase"),
    path("places/<int:pk>/edit/", views.place_form, name="place_edit"),
    path("organisations/<int:pk>/edit/", views.organisation_form, name="organisation_edit"),
]
