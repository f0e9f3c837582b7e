from django.urls import path

from xiezuo.web import views
from xiezuo.web.imports import views as imports

app_name = "web"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("households/", views.households, name="households"),
    path("households/<str:household_no>/", views.household_detail, name="household"),
    path("import/", imports.import_page, name="import"),
    path("import/template/<str:key>/", imports.import_template, name="import-template"),
    path("import/jobs/<int:pk>/", imports.import_job, name="import-job"),
    path(
        "import/jobs/<int:pk>/annotated.xlsx",
        imports.import_job_annotated,
        name="import-job-annotated",
    ),
    path("import/batches/<int:pk>/undo/", imports.import_batch_undo, name="import-batch-undo"),
]
