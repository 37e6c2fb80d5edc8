from django.urls import path

from . import people, views

app_name = "campaigns"

urlpatterns = [
    path("", views.home, name="home"),
    path("campaigns/new/", views.campaign_new, name="campaign_new"),
    path("c/<slug:slug>/setup/", views.campaign_setup, name="setup"),
    path("c/<slug:slug>/plan/", views.plan, name="plan"),
    path("c/<slug:slug>/people/search.json", views.people_search, name="people_search"),
    path("c/<slug:slug>/people/", people.people_list, name="people"),
    path("c/<slug:slug>/people/new/", people.person_new, name="person_new"),
    path("c/<slug:slug>/people/import/", people.people_import, name="people_import"),
    path("c/<slug:slug>/people/sign-in-links/", people.sign_in_links, name="sign_in_links"),
    path("c/<slug:slug>/people/grant/", people.people_grant, name="people_grant"),
    path("c/<slug:slug>/people/grants/<int:pk>/revoke/", people.grant_revoke, name="grant_revoke"),
    path("c/<slug:slug>/contact-points/", people.contact_points, name="contact_points"),
    path("c/<slug:slug>/contact-points/<int:pk>/remove/", people.contact_point_remove, name="contact_point_remove"),
    path("c/<slug:slug>/plan/evidence/<int:pk>/", views.plan_evidence, name="plan_evidence"),
    path("c/<slug:slug>/", views.campaign_home, name="campaign_home"),
    path("c/<slug:slug>/rules/", views.campaign_rules, name="rules"),
]
