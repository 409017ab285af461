"""Voicemail greeting views are not built yet."""

urlpatterns = []
