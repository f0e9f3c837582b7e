"""Pages of the reports app: the list of a year's reports, a unit's report (paragraphs,
sign-off, versions), its PDF, HTML and XLSX, and the zip of all reports."""

from django.urls import path

from xiezuo.web.reports import views

urlpatterns = [
    path("", views.report_list, name="reports"),
    path("<int:year>/zip/", views.zip_start, name="reports-zip"),
    path("<int:year>/zip/<str:task_id>/", views.zip_status, name="reports-zip-status"),
    path(
        "<int:year>/zip/<str:task_id>/download/",
        views.zip_download,
        name="reports-zip-download",
    ),
    path("<int:year>/<str:unit_type>/<str:unit>/", views.report_page, name="report"),
    path(
        "<int:year>/<str:unit_type>/<str:unit>/paragraphs/",
        views.paragraphs_view,
        name="report-paragraphs",
    ),
    path("<int:year>/<str:unit_type>/<str:unit>/sign/", views.sign_view, name="report-sign"),
    path(
        "<int:year>/<str:unit_type>/<str:unit>/report.<str:fmt>",
        views.report_file,
        name="report-file",
    ),
]
