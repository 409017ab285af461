"""Every call-flow schemes URL that takes an object id, with a factory making such an object for a customer."""

import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from pbx.tests import factories


def _scheme_of(customer):
    scheme = factories.scheme(customer, name=f"Infolinia {uuid.uuid4().hex[:6]}")
    return {"pk": scheme.pk}


def _recording_of(customer):
    kwargs = _scheme_of(customer)
    file_id = uuid.uuid4().hex
    default_storage.save(f"announcements/{customer.prefix}/{file_id}.mp3", ContentFile(b"ID3 not really audio"))
    return {**kwargs, "file_id": file_id}


OBJECT_URLS = {
    "pbx:scheme_editor": _scheme_of,
    "pbx:scheme_rename": _scheme_of,
    "pbx:scheme_save": _scheme_of,
    "pbx:scheme_bind": _scheme_of,
    "pbx:scheme_delete": _scheme_of,
    "pbx:scheme_announcement_upload": _scheme_of,
    "pbx:scheme_announcement_audio": _recording_of,
}
