import datetime as dt
import re

import pytest

from casebook.models import CaseDepartment, CaseIndexPage, CaseRuleLink, CaseStudyPage, CauseItem
from portal.blocks import Audience

from .conftest import publish


def add_case(index, n, *, departments, causes, rule=None, start=dt.date(2020, 1, 1), end=dt.date(2021, 6, 30)):
    page = CaseStudyPage(
        title=f"事例{n}",
        slug=f"case-{n}",
        summary="概要",
        period_start=start,
        period_end=end,
        units_involved="営業所",
        what_happened="<p>内容</p>",
    )
    page.departments = [CaseDepartment(department=d) for d in departments]
    page.causes = [CauseItem(element=e, text=f"原因{n}-{i}") for i, e in enumerate(causes)]
    if rule is not None:
        page.rule_links = [CaseRuleLink(rule=rule, explanation="理由")]
    return publish(index, page)


@pytest.fixture
def index(home):
    return publish(home, CaseIndexPage(title="事例集", slug="casebook"))


def listed(response) -> list[str]:
    return [case.slug for case in response.context["facets"].cases]


def counts(response, facet_name) -> dict[str, int]:
    facet = next(f for f in response.context["facets"].facets if f.name == facet_name)
    return {o.value: o.count for o in facet.options}


def test_call_centre_and_motivation_combine_and_counts_match_the_list(client, employee, demo_casebook):
    client.force_login(employee)

    response = client.get(demo_casebook.url, {"department": Audience.CALL_CENTRE, "cause": "motivation"})

    assert response.status_code == 200
    assert sorted(listed(response)) == [
        "customer-centre-case-1-training-room",
        "customer-centre-case-2-moving-season",
        "customer-centre-case-3-contractors",
    ]
    html = response.content.decode()
    assert "3件の事例" in html
    # The count beside the chosen options equals the length of the list.
    assert counts(response, "department")[Audience.CALL_CENTRE] == 3
    assert counts(response, "cause")["motivation"] == 3
    # Counts of other options are what choosing them would list, given the other filters.
    for facet_name in ["department", "cause", "rule", "year"]:
        for value, count in counts(response, facet_name).items():
            params = {"department": Audience.CALL_CENTRE, "cause": "motivation", facet_name: value}
            assert len(listed(client.get(demo_casebook.url, params))) == count, (facet_name, value)


def test_filter_by_department_is_exact(client, employee, demo_casebook):
    client.force_login(employee)

    response = client.get(demo_casebook.url, {"department": Audience.CONTRACTOR})

    assert listed(response) == ["customer-centre-case-3-contractors"]


def test_filter_by_rule_and_year(client, employee, demo_casebook, rules):
    client.force_login(employee)
    transfers = str(rules["transfers"].pk)

    by_rule = client.get(demo_casebook.url, {"rule": transfers})
    by_year = client.get(demo_casebook.url, {"year": "2018"})
    both = client.get(demo_casebook.url, {"rule": transfers, "year": "2018"})

    assert sorted(listed(by_rule)) == [
        "transferee-id-grid-information-intranet",
        "transferee-id-record-statistics-system",
    ]
    # Cases running during 2018: Hachinohe (from July 2018) and the customer-centre case 2 (2016–2023).
    assert sorted(listed(by_year)) == ["customer-centre-case-2-moving-season", "hachinohe-shared-counter"]
    assert listed(both) == []
    assert "条件に合う事例はありません。" in both.content.decode()


def test_year_counts_cases_running_in_that_year(client, employee, demo_casebook):
    client.force_login(employee)

    years = counts(client.get(demo_casebook.url), "year")

    assert years["2016"] == 1  # customer-centre case 2
    assert years["2022"] == 5  # Hachinohe, Iwate/Sendai, CC 1, 2, 3
    assert years["2023"] == 6  # all but customer-centre case 1, which ended in December 2022


def test_unknown_filter_values_are_ignored(client, employee, demo_casebook):
    client.force_login(employee)

    response = client.get(demo_casebook.url, {"department": "nonsense", "cause": "<script>", "year": "abc"})

    assert response.status_code == 200
    assert len(listed(response)) == 7
    assert "<script>" not in response.content.decode()


def test_search_box_narrows_the_index(client, employee, demo_casebook):
    client.force_login(employee)

    response = client.get(demo_casebook.url, {"q": "八戸"})

    # The Iwate/Sendai case refers back to Hachinohe in its causes.
    assert sorted(listed(response)) == ["hachinohe-shared-counter", "iwate-sanriku-sendai-kita-temp-terminals"]


def test_selected_option_links_remove_it_and_keep_the_others(client, employee, demo_casebook):
    client.force_login(employee)

    response = client.get(demo_casebook.url, {"department": Audience.CALL_CENTRE, "cause": "motivation"})

    html = response.content.decode()
    selected = re.search(r'<a href="([^"]*)" aria-current="true" data-facet="cause"', html).group(1)
    assert selected == "?department=call_centre"


def test_index_query_count_does_not_grow_with_the_number_of_cases(
    client, employee, index, rules, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(employee)
    departments = [Audience.SALES, Audience.CALL_CENTRE, Audience.CONTRACTOR]
    elements = ["opportunity", "motivation", "rationalisation"]

    def grow_to(size):
        for n in range(CaseStudyPage.objects.count(), size):
            add_case(
                index,
                n,
                departments=[departments[n % 3]],
                causes=elements[: 1 + n % 3],
                rule=list(rules.values())[n % 3],
                start=dt.date(2016 + n % 7, 4, 1),
            )

    def measure(size):
        grow_to(size)
        for _ in range(2):  # warm the caches: site root paths, content types, cached fragments
            client.get(index.url)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(index.url, {"cause": "motivation", "department": Audience.CALL_CENTRE})
        assert len(listed(response)) == len([n for n in range(size) if n % 3 == 1])
        return len(queries)

    small, large = measure(3), measure(30)

    assert small == large
    with django_assert_max_num_queries(small):
        client.get(index.url, {"cause": "motivation"})
