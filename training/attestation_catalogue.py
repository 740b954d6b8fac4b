"""Every attestation document with its versions and audience, cached for the home page.

The home page and My training show each reader what they still have to acknowledge. Reading the
documents, their three audience lists and their versions took five queries per page view, for
data that changes a few times a year. The catalogue keeps them together under a generation
(`portal.fragments`) that every write to them renews: saving or deleting a document or a version,
changing a document's audience lists, or a unit moving (the audience holds unit paths). Whether a
person is in an audience is then decided without a query, by the same rule as
`AudienceFields.audience_people`; only their acknowledgements are read for them.
"""

from dataclasses import dataclass

from django.db.models import Prefetch
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from people.models import Unit
from people.signals import unit_moved
from portal import fragments

from .models import AttestationDocument, AttestationVersion

GENERATION = "training-attestation-catalogue"
TTL = 10 * 60


@dataclass(frozen=True)
class CatalogueEntry:
    document: AttestationDocument
    versions: list[AttestationVersion]  # every version, scheduled ones too, by number
    unit_paths: tuple[str, ...]
    employment_type_ids: frozenset[int]
    job_role_ids: frozenset[int]

    def includes(self, person) -> bool:
        """`person` (active, with their unit and job roles) is in the document's audience."""
        if self.document.audience_everyone:
            return True
        if not (self.unit_paths or self.employment_type_ids or self.job_role_ids):
            return False
        if self.unit_paths:
            unit_path = person.unit.path if person.unit_id else None
            if unit_path is None or not any(unit_path.startswith(path) for path in self.unit_paths):
                return False
        if self.employment_type_ids and person.employment_type_id not in self.employment_type_ids:
            return False
        return not self.job_role_ids or bool(self.job_role_ids & {role.pk for role in person.job_roles.all()})


def attestation_catalogue() -> list[CatalogueEntry]:
    return fragments.cached(GENERATION, "training:attestation-catalogue", read_catalogue, TTL)


def read_catalogue() -> list[CatalogueEntry]:
    # Without the versions' text: lists name a document and its version, the text is read on
    # the attestation's own page.
    documents = AttestationDocument.objects.order_by("title").prefetch_related(
        Prefetch("versions", queryset=AttestationVersion.objects.defer("body")),
        "audience_units",
        "audience_employment_types",
        "audience_job_roles",
    )
    return [
        CatalogueEntry(
            document=document,
            versions=sorted(document.versions.all(), key=lambda v: v.number),
            unit_paths=tuple(unit.path for unit in document.audience_units.all()),
            employment_type_ids=frozenset(e.pk for e in document.audience_employment_types.all()),
            job_role_ids=frozenset(r.pk for r in document.audience_job_roles.all()),
        )
        for document in documents
    ]


@receiver([post_save, post_delete], sender=AttestationDocument)
@receiver([post_save, post_delete], sender=AttestationVersion)
@receiver(m2m_changed, sender=AttestationDocument.audience_units.through)
@receiver(m2m_changed, sender=AttestationDocument.audience_employment_types.through)
@receiver(m2m_changed, sender=AttestationDocument.audience_job_roles.through)
@receiver(post_save, sender=Unit)
@receiver(unit_moved)  # the paths below the moved unit change with no post_save
def catalogue_changed(**kwargs) -> None:
    fragments.renew(GENERATION)
