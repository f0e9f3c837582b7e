from django.urls import include, path

from xiezuo.web import views
from xiezuo.web.assessment import views as assessment
from xiezuo.web.imports import views as imports
from xiezuo.web.labour import views as labour
from xiezuo.web.precision import views as precision

app_name = "web"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("households/", views.households, name="households"),
    path("households/<str:household_no>/", views.household_detail, name="household"),
    path("import/", imports.import_page, name="import"),
    path("import/template/<str:key>/", imports.import_template, name="import-template"),
    path("import/jobs/<int:pk>/", imports.import_job, name="import-job"),
    path("import/jobs/<int:pk>/retry/", imports.import_job_retry_view, name="import-job-retry"),
    path("import/jobs/<int:pk>/cancel/", imports.import_job_cancel_view, name="import-job-cancel"),
    path(
        "import/jobs/<int:pk>/annotated.xlsx",
        imports.import_job_annotated,
        name="import-job-annotated",
    ),
    path("import/batches/<int:pk>/undo/", imports.import_batch_undo, name="import-batch-undo"),
    path("assessment/", assessment.scorecard, name="assessment"),
    path("assessment/run/", assessment.run_start, name="assessment-run"),
    path("assessment/run/<str:task_id>/", assessment.run_status, name="assessment-run-status"),
    path(
        "assessment/runs/<int:run_id>/rectification/",
        assessment.rectification_draft_view,
        name="rectification-draft",
    ),
    path("assessment/rectification/", assessment.rectification_page, name="rectification"),
    path(
        "assessment/rectification/<int:pk>/",
        assessment.rectification_update_view,
        name="rectification-update",
    ),
    path(
        "assessment/rectification/<int:pk>/evidence/",
        assessment.rectification_evidence,
        name="rectification-evidence",
    ),
    path(
        "assessment/drill/<int:run_id>/<str:indicator>/<str:unit_type>/<str:unit>/",
        assessment.drill,
        name="assessment-drill",
    ),
    path("assessment/<str:unit_type>/<str:unit>/", assessment.unit_page, name="assessment-unit"),
    path("precision/", precision.precision_index, name="precision"),
    path("precision/<str:county>/", precision.county_page, name="precision-county"),
    path("monitoring/", precision.monitoring_board, name="monitoring"),
    path("monitoring/notice/<str:village>/", precision.notice_page, name="monitoring-notice"),
    path(
        "monitoring/<str:household_no>/<int:year>/",
        precision.case_page,
        name="monitoring-case",
    ),
    path(
        "monitoring/<str:household_no>/<int:year>/<str:step>/",
        precision.case_step,
        name="monitoring-case-step",
    ),
    path("labour/", labour.labour_overview, name="labour"),
    path("labour/posts/", labour.posts_page, name="labour-posts"),
    path("labour/match/", labour.match_page, name="labour-match"),
    path("labour/match/run/", labour.match_start, name="labour-match-run"),
    path("labour/match/<int:pk>/status/", labour.match_status, name="labour-match-status"),
    path("labour/match/<int:pk>/proposals/", labour.proposals_view, name="labour-proposals"),
    path("labour/tracking/", labour.tracking_page, name="labour-tracking"),
    path("bulletins/", include("xiezuo.web.bulletins.urls")),
    path("reports/", include("xiezuo.web.reports.urls")),
    path("crosscheck/", include("xiezuo.web.crosscheck.urls")),
]
