"""Generating the office's documents in the background: request, claim, progress, file."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from taizhang.orgs.access import Access

from . import digest
from .models import GeneratedDocument, ReportingPeriod

KIND_PERIOD = {
    GeneratedDocument.Kind.MONTHLY_DIGEST: ReportingPeriod.Kind.MONTHLY,
    GeneratedDocument.Kind.QUARTERLY_PACK: ReportingPeriod.Kind.QUARTERLY,
}


def can_generate(access: Access) -> bool:
    return access.is_office or access.is_leader


@transaction.atomic
def request_document(period: ReportingPeriod, *, kind: str, format: str, acting_user) -> GeneratedDocument:
    """Queue a document; the worker makes it (right away when Huey runs immediately)."""
    if not can_generate(Access.for_user(acting_user, period.campaign)):
        raise PermissionDenied(_("Only the campaign office and leaders generate documents."))
    if KIND_PERIOD.get(kind) != period.kind or format not in GeneratedDocument.Format.values:
        raise ValidationError(_("This document cannot be made for this period."))
    document = GeneratedDocument.objects.create(
        campaign=period.campaign, period=period, kind=kind, format=format, requested_by=acting_user
    )
    from .tasks import generate_document

    transaction.on_commit(lambda: generate_document(document.pk))
    return document


def generate(document_id: int) -> bool:
    """Make the file; claimed by a filtered update so two workers never both make it."""
    if not GeneratedDocument.objects.filter(pk=document_id, status=GeneratedDocument.Status.QUEUED).update(
        status=GeneratedDocument.Status.RUNNING, progress=5
    ):
        return False
    document = GeneratedDocument.objects.select_related("period__campaign", "campaign").get(pk=document_id)

    def progress(percent: int) -> None:
        GeneratedDocument.objects.filter(pk=document_id).update(progress=percent)

    try:
        if document.kind == GeneratedDocument.Kind.MONTHLY_DIGEST:
            data = digest.monthly_digest(document.period, progress=progress)
            content = digest.monthly_digest_docx(data) if document.format == "docx" else digest.monthly_digest_pdf(data)
        else:
            data = digest.quarterly_pack(document.period, progress=progress)
            content = digest.quarterly_pack_docx(data) if document.format == "docx" else digest.quarterly_pack_pdf(data)
        progress(95)
        document.file.save(document.ascii_filename, ContentFile(content), save=False)
    except Exception as error:  # the page shows the failure instead of spinning for ever
        GeneratedDocument.objects.filter(pk=document_id).update(
            status=GeneratedDocument.Status.FAILED, error=str(error)[:2000], finished_at=timezone.now()
        )
        raise
    GeneratedDocument.objects.filter(pk=document_id).update(
        status=GeneratedDocument.Status.DONE, progress=100, file=document.file.name, finished_at=timezone.now()
    )
    return True
