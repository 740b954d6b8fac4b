"""The three elements of the fraud triangle, which a case's causes are filed under.

Apart from the models so that the triangle and the filters, which the models use, can name them.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CauseElement(models.TextChoices):
    OPPORTUNITY = "opportunity", _("Opportunity")
    MOTIVATION = "motivation", _("Motivation")
    RATIONALISATION = "rationalisation", _("Rationalisation")
