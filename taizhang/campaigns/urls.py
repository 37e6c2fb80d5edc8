from django.urls import path

from . import views

app_name = "campaigns"

urlpatterns = [
    path("", views.home, name="home"),
    path("campaigns/new/", views.campaign_new, name="campaign_new"),
    path("c/<slug:slug>/setup/", views.campaign_setup, name="setup"),
    path("c/<slug:slug>/plan/", views.plan, name="plan"),
    path("c/<slug:slug>/people/search.json", views.people_search, name="people_search"),
    path("c/<slug:slug>/plan/evidence/<int:pk>/", views.plan_evidence, name="plan_evidence"),
    path("c/<slug:slug>/", views.campaign_home, name="campaign_home"),
    path("c/<slug:slug>/rules/", views.campaign_rules, name="rules"),
]
