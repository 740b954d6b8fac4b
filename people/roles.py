"""The roles of SPEC §1 as Django groups.

Sensitive content (enquiries, hotline cases, individual results) is guarded by explicit group
membership through `Person.in_group`, never by `has_perm`, because `has_perm` is always true
for a superuser and the superuser flag must not open that content.
"""

from django.utils.translation import gettext_lazy as _

COMPLIANCE_EDITORS = "compliance_editors"
TRAINING_ADMINISTRATORS = "training_administrators"
ENQUIRY_RESPONDERS = "enquiry_responders"
DESIGNATED_HANDLERS = "designated_handlers"
SITE_ADMINISTRATORS = "site_administrators"
MANAGERS = "managers"
COMPLIANCE_AUDITORS = "compliance_auditors"

ROLE_LABELS = {
    COMPLIANCE_EDITORS: _("Compliance editor"),
    TRAINING_ADMINISTRATORS: _("Training administrator"),
    ENQUIRY_RESPONDERS: _("Enquiry responder"),
    DESIGNATED_HANDLERS: _("Designated handler"),
    SITE_ADMINISTRATORS: _("Site administrator"),
    MANAGERS: _("Manager"),
    COMPLIANCE_AUDITORS: _("Compliance auditor"),
}
