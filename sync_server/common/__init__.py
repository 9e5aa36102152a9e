"""Cross-app foundation: tenancy, row-level security, versions, errors, API base views."""
