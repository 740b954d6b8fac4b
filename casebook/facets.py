"""Filtering the case index by department, cause element, rule and year, with counts.

The facts needed for every filter are read in a fixed handful of queries (one per kind of
child row), and the matching is done on sets of page ids. The count shown beside an option
is the number of cases the list would show if that option were chosen together with the
other filters already chosen, so a count always matches the list it leads to.
"""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.utils import timezone
from django.utils.translation import pgettext_lazy

from portal.blocks import Audience
from portal.search.query import matching_page_ids

from .choices import CauseElement

FILTERS = ("department", "cause", "rule", "year")


@dataclass
class Option:
    value: str
    label: str
    count: int
    selected: bool
    url: str


@dataclass
class Facet:
    name: str
    label: str
    options: list[Option] = field(default_factory=list)

    @property
    def selected(self) -> Option | None:
        return next((o for o in self.options if o.selected), None)


@dataclass
class CaseFacets:
    facets: list[Facet]
    cases: list
    query: str
    clear_url: str

    @property
    def total(self) -> int:
        return len(self.cases)

    @property
    def active(self) -> list[tuple[Facet, Option]]:
        return [(f, f.selected) for f in self.facets if f.selected]

    @classmethod
    def for_cases(cls, base, params) -> "CaseFacets":
        """`base`: the cases the index lists (live, public); their child rows are read through it."""
        today = timezone.localdate()

        all_ids: set[int] = set()
        by_year: dict[str, set[int]] = {}
        for pk, start, end in base.values_list("pk", "period_start", "period_end"):
            all_ids.add(pk)
            for year in range(start.year, (end or today).year + 1):
                by_year.setdefault(str(year), set()).add(pk)

        by_department: dict[str, set[int]] = {}
        for pk, department in base.filter(departments__isnull=False).values_list("pk", "departments__department"):
            by_department.setdefault(department, set()).add(pk)

        by_cause: dict[str, set[int]] = {}
        for pk, element in base.filter(causes__isnull=False).values_list("pk", "causes__element"):
            by_cause.setdefault(element, set()).add(pk)

        by_rule: dict[str, set[int]] = {}
        rule_titles: dict[str, str] = {}
        rule_rows = (
            base.filter(rule_links__rule__live=True)
            .order_by("rule_links__rule__path")
            .values_list("pk", "rule_links__rule_id", "rule_links__rule__title")
        )
        for pk, rule_id, title in rule_rows:
            by_rule.setdefault(str(rule_id), set()).add(pk)
            rule_titles[str(rule_id)] = title

        departments = dict(Audience.CHOICES)
        options = {
            "department": [(v, departments[v]) for v, _label in Audience.CHOICES if v in by_department],
            "cause": list(CauseElement.choices),
            "rule": list(rule_titles.items()),
            "year": [(y, y) for y in sorted(by_year, reverse=True)],
        }
        members = {"department": by_department, "cause": by_cause, "rule": by_rule, "year": by_year}
        labels = {
            "department": pgettext_lazy("case filter", "Department"),
            "cause": pgettext_lazy("case filter", "Cause element"),
            "rule": pgettext_lazy("case filter", "Rule broken"),
            "year": pgettext_lazy("case filter", "Year"),
        }

        # Unknown values (a stale link, a hand-edited URL) are ignored rather than matching nothing.
        chosen = {name: params.get(name, "") for name in FILTERS}
        chosen = {name: value for name, value in chosen.items() if value in dict(options[name])}
        query = params.get("q", "").strip()[:200]

        searched = all_ids
        if query:
            searched = matching_page_ids(base, query)

        def matching(excluding: str | None = None) -> set[int]:
            result = set(searched)
            for name, value in chosen.items():
                if name != excluding:
                    result &= members[name].get(value, set())
            return result

        facets = []
        for name in FILTERS:
            others = matching(excluding=name)
            facet = Facet(name=name, label=labels[name])
            for value, label in options[name]:
                selected = chosen.get(name) == value
                new = dict(chosen, q=query)
                if selected:
                    del new[name]
                else:
                    new[name] = value
                facet.options.append(
                    Option(
                        value=value,
                        label=str(label),
                        count=len(others & members[name].get(value, set())),
                        selected=selected,
                        url=_querystring(new),
                    )
                )
            facets.append(facet)

        final = matching()
        cases = list(
            base.filter(pk__in=final).order_by("-period_start", "path").prefetch_related("departments", "causes")
        )
        return cls(facets=facets, cases=cases, query=query, clear_url="?")


def _querystring(params: dict) -> str:
    kept = {k: v for k, v in params.items() if v}
    return "?" + urlencode(kept) if kept else "?"
