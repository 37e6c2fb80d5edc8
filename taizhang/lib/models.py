"""Model pieces shared by several apps."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Attachment(models.Model):
    """A checked upload kept with what it documents: the stored file, the name it came with, its size.

    Subclasses add the foreign key to what the file belongs to and ``file`` with their own ``upload_to``.
    """

    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size"))

    class Meta:
        abstract = True
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name
