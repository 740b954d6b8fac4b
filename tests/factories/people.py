"""People and organisation for tests, made the way the HR import would make them."""

import itertools

from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Group

from people.mfa import totp_enrol
from people.models import Company, EmploymentType, JobRole, Person, Unit
from people.services import unit_add

_numbers = itertools.count(1)


def company(code="MICHINOKU", name="みちのく電力株式会社", kind=Company.Kind.RETAILER) -> Company:
    return Company.objects.get_or_create(code=code, defaults={"name": name, "kind": kind})[0]


def unit(
    code: str,
    name: str | None = None,
    parent: Unit | None = None,
    kind=Unit.Kind.OFFICE,
    in_company: Company | None = None,
) -> Unit:
    found = Unit.objects.filter(code=code).first()
    if found:
        return found
    new = Unit(code=code, name=name or code, company=in_company or company(), kind=kind)
    return unit_add(unit=new, parent=parent)


def employment_type(code="REGULAR", name=None) -> EmploymentType:
    names = {"REGULAR": "正社員", "TEMP": "派遣社員", "CONTRACTOR": "委託先社員", "EXECUTIVE": "役員"}
    return EmploymentType.objects.get_or_create(code=code, defaults={"name": name or names.get(code, code)})[0]


def job_role(code="SALES", name=None) -> JobRole:
    names = {"SALES": "営業窓口", "CALL_CENTRE": "コールセンター", "MANAGER": "管理職"}
    return JobRole.objects.get_or_create(code=code, defaults={"name": name or names.get(code, code)})[0]


def person(
    *,
    email: str | None = None,
    unit_code: str = "HACHINOHE",
    etype: str = "REGULAR",
    roles: tuple[str, ...] = ("SALES",),
    groups: tuple[str, ...] = (),
    manager: Person | None = None,
    password: str | None = "portal-demo-2026",
    **extra,
) -> Person:
    n = next(_numbers)
    p = Person.objects.create_user(
        email=email or f"person{n}@example.jp",
        password=password,
        employee_number=extra.pop("employee_number", f"X{n:06d}"),
        family_name=extra.pop("family_name", "試験"),
        given_name=extra.pop("given_name", f"{n}号"),
        company=company(),
        unit=unit(unit_code),
        employment_type=employment_type(etype),
        manager=manager,
        hr_managed=extra.pop("hr_managed", True),
        **extra,
    )
    p.job_roles.set([job_role(code) for code in roles])
    for name in groups:
        p.groups.add(Group.objects.get_or_create(name=name)[0])
    return p


def enrol_totp(p: Person) -> str:
    """Give a person a TOTP authenticator as allauth would; returns the secret."""
    secret = totp_enrol(person=p)
    assert Authenticator.objects.filter(user=p, type=Authenticator.Type.TOTP).exists()
    return secret
