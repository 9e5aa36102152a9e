"""Tenants (businesses), their outlets and their terminals."""
