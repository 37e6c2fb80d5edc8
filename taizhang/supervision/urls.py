from django.urls import path

from . import views

app_name = "supervision"

urlpatterns = [
    path("c/<slug:slug>/chase/", views.notice_list, name="notice_list"),
    path("c/<slug:slug>/chase/new/<int:item_pk>/", views.notice_new, name="notice_new"),
    path("c/<slug:slug>/chase/<int:pk>/", views.notice_detail, name="notice_detail"),
    path("c/<slug:slug>/chase/<int:pk>/notice.docx", views.notice_docx, name="notice_docx"),
    path("c/<slug:slug>/chase/<int:pk>/notice.pdf", views.notice_pdf, name="notice_pdf"),
]
