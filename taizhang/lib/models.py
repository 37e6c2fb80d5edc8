"""Model pieces shared by several apps."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from taizhang.lib.media import check_upload


class Attachment(models.Model):
    """A checked upload kept with what it documents: the stored file, the name it came with, its size.

    Subclasses add the foreign key to what the file belongs to and ``file`` with their own ``upload_to``.
    A new upload goes through :func:`taizhang.lib.media.check_upload` on save, whoever saves it: what is
    stored is the server's reading of the bytes (an image re-encoded without its metadata), under a random
    name with the detected extension; ``name`` keeps the person's name for it with that extension.
    """

    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size"))

    class Meta:
        abstract = True
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        upload = self.file
        if upload and not upload._committed:
            checked = check_upload(upload.file, max_bytes=settings.ATTACHMENT_MAX_BYTES)
            self.file = checked.stored_file()
            self.name = checked.name
            self.size = len(checked.content)
        super().save(*args, **kwargs)
