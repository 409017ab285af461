"""Ingestion API of call records (not built yet)."""

urlpatterns = []
