"""Report routes under `/backoffice/reports/`, spliced into the back office's patterns."""

from __future__ import annotations

from django.urls import URLPattern, path

from sync_server.reports import views

report_patterns: list[URLPattern] = [
    path("reports/", views.report_index_page, name="reports"),
    path("reports/<slug:slug>/", views.report_page, name="report"),
    path("reports/<slug:slug>/export.csv", views.report_export_page, name="report-export"),
]
