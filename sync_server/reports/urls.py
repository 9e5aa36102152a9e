"""Report routes, included under `/backoffice/reports/` in the back office's namespace."""

from __future__ import annotations

from django.urls import URLPattern, path

from sync_server.reports import views

report_patterns: list[URLPattern] = [
    path("", views.report_index_page, name="reports"),
    path("<slug:slug>/", views.report_page, name="report"),
    path("<slug:slug>/export.csv", views.report_export_page, name="report-export"),
]
