from django.urls import path

from . import views

app_name = "supervision"

urlpatterns = [
    path("c/<slug:slug>/chase/", views.notice_list, name="notice_list"),
    path("c/<slug:slug>/chase/new/<int:item_pk>/", views.notice_new, name="notice_new"),
    path("c/<slug:slug>/chase/<int:pk>/", views.notice_detail, name="notice_detail"),
    path("c/<slug:slug>/chase/<int:pk>/notice.docx", views.notice_docx, name="notice_docx"),
    path("c/<slug:slug>/chase/<int:pk>/notice.pdf", views.notice_pdf, name="notice_pdf"),
    # The responsibility system (责任制)
    path("c/<slug:slug>/responsibilities/", views.responsibility_grid, name="responsibility_grid"),
    path("c/<slug:slug>/responsibilities.xlsx", views.responsibility_xlsx, name="responsibility_xlsx"),
    path("c/<slug:slug>/responsibilities.docx", views.responsibility_docx, name="responsibility_docx"),
    path("c/<slug:slug>/responsibilities/new/", views.responsibility_new, name="responsibility_new"),
    path("c/<slug:slug>/responsibilities/<int:pk>/edit/", views.responsibility_edit, name="responsibility_edit"),
    path("c/<slug:slug>/responsibilities/<int:pk>/end/", views.responsibility_end, name="responsibility_end"),
    # Instructions (批示)
    path("c/<slug:slug>/instructions/", views.instruction_list, name="instruction_list"),
    path("c/<slug:slug>/instructions/new/", views.instruction_new, name="instruction_new"),
    path("c/<slug:slug>/instructions/<int:pk>/", views.instruction_detail, name="instruction_detail"),
    path("c/<slug:slug>/instructions/<int:pk>/review/", views.instruction_review, name="instruction_review"),
    path("c/<slug:slug>/instructions/evidence/<int:pk>/", views.instruction_evidence, name="instruction_evidence"),
    # Leaders in the field (实地巡诊) and contact points
    path("c/<slug:slug>/visits/", views.visit_list, name="visit_list"),
    path("c/<slug:slug>/visits/new/", views.visit_new, name="visit_new"),
    path("c/<slug:slug>/visits/<int:pk>/", views.visit_detail, name="visit_detail"),
    path("c/<slug:slug>/visits/photo/<int:pk>/", views.visit_photo, name="visit_photo"),
    path("c/<slug:slug>/contact-points/unvisited/", views.contact_points_unvisited, name="contact_points_unvisited"),
    path("c/<slug:slug>/contact-points/<int:pk>/", views.contact_point_detail, name="contact_point_detail"),
]
