"""Finding a page in two queries (`portal.serving.route_below`) must find exactly what Wagtail's
own walk finds, and a page with no restriction above it must not query the restrictions."""

import pytest
from django.db import connection
from django.http import Http404
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page, PageViewRestriction, Site

from people.models import Person
from portal.models import RuleIndexPage, RulePage
from portal.serving import route_below
from training.models import TrainingModulePage

pytestmark = pytest.mark.django_db


def comparable(result):
    """A route result as data: a routable page's view is a method bound to its page object, and
    two bound methods are equal only when their page objects are the same object."""
    view_args = tuple(getattr(arg, "__func__", arg) for arg in result.args)
    return result.page.pk, view_args


def walk(root, request, components):
    """Wagtail's own answer: `Page.route` level by level, each page as its specific type."""
    try:
        result = Page.route(root, request, components)
    except Http404:
        return None
    return comparable(result)


def below(root, request, components):
    try:
        result = route_below(root, request, components)
    except Http404:
        return None
    return comparable(result)


@pytest.fixture
def training_demo(demo):
    from io import StringIO

    from quizzes.demo import load as load_quizzes
    from training.demo import load as load_training

    load_quizzes(StringIO())
    load_training(StringIO())


def test_every_address_of_the_demo_leads_where_wagtails_walk_leads(training_demo):
    root = Site.objects.get(is_default_site=True).root_page.specific
    request = RequestFactory().get("/")
    request.user = Person.objects.get(email="sales@example.jp")
    addresses = []
    for page in Page.objects.descendant_of(root):
        components = page.url_path[len(root.url_path) :].strip("/").split("/")
        addresses.append(components)
        addresses.append(components + ["no-such-page"])
        addresses.append(components[:-1] + [components[-1] + "-x"])
    # A training module routes its own sub-pages (RoutablePageMixin): the quiz and a lesson.
    module = TrainingModulePage.objects.live().first()
    module_path = module.url_path[len(root.url_path) :].strip("/").split("/")
    addresses += [module_path + ["quiz"], module_path + ["lessons", "1"], module_path + ["certificate"]]
    assert len(addresses) > 30
    compared = [
        (components, walk(root, request, components), below(root, request, components)) for components in addresses
    ]
    assert [c for c in compared if c[1] != c[2]] == []
    assert sum(1 for c in compared if c[1] is not None) > 10  # most of them lead somewhere


def test_an_unpublished_page_is_not_found_and_the_pages_below_a_draft_are_as_in_wagtail(demo):
    root = Site.objects.get(is_default_site=True).root_page.specific
    request = RequestFactory().get("/")
    RulePage.objects.get(slug="switching").unpublish()
    assert below(root, request, ["rules", "switching"]) is None
    index = RuleIndexPage.objects.get()
    index.live = False
    index.save(update_fields=["live"])
    other = RulePage.objects.live().first()
    assert below(root, request, ["rules", other.slug]) == walk(root, request, ["rules", other.slug]) is not None


def test_a_rule_page_is_found_with_two_queries_on_the_page_tree(demo):
    root = Site.objects.get(is_default_site=True).root_page.specific
    request = RequestFactory().get("/")
    with CaptureQueriesContext(connection) as queries:
        found = route_below(root, request, ["rules", "switching"])
    assert found.page.slug == "switching" and isinstance(found.page, RulePage)
    # The chain of URL paths, then the page as its type (Wagtail's walk: four, two per level).
    assert len(queries) == 2
    # The address is remembered: the next time, only the page itself is read (afresh).
    with CaptureQueriesContext(connection) as queries:
        again = route_below(root, request, ["rules", "switching"])
    assert again.page.pk == found.page.pk and again.page is not found.page
    assert len(queries) == 1


def test_a_remembered_address_follows_renames_moves_unpublishing_and_deletion(demo):
    root = Site.objects.get(is_default_site=True).root_page.specific
    request = RequestFactory().get("/")
    page = RulePage.objects.get(slug="switching")
    assert below(root, request, ["rules", "switching"]) is not None

    page.slug = "switching-renamed"
    page.save_revision().publish()
    assert below(root, request, ["rules", "switching"]) is None
    assert below(root, request, ["rules", "switching-renamed"]) == (page.pk, ())

    qa_index = Page.objects.get(slug="qa")
    page.move(qa_index, pos="last-child")
    assert below(root, request, ["rules", "switching-renamed"]) is None
    assert below(root, request, ["qa", "switching-renamed"]) == (page.pk, ())

    RulePage.objects.get(pk=page.pk).unpublish()
    assert below(root, request, ["qa", "switching-renamed"]) is None
    other = RulePage.objects.live().first()
    assert below(root, request, ["rules", other.slug]) is not None
    other.delete()
    assert below(root, request, ["rules", other.slug]) is None


def test_a_page_with_no_restriction_above_it_reads_no_restrictions(demo):
    page = RulePage.objects.get(slug="switching")
    page.get_view_restrictions()  # the cache of restricted paths is filled
    page = RulePage.objects.get(slug="switching")
    with CaptureQueriesContext(connection) as queries:
        assert list(page.get_view_restrictions()) == []
        assert list(page.get_view_restrictions()) == []
    assert len(queries) == 0
    restriction = PageViewRestriction.objects.create(
        page=RuleIndexPage.objects.get(), restriction_type=PageViewRestriction.LOGIN
    )
    page = RulePage.objects.get(slug="switching")
    assert list(page.get_view_restrictions()) == [restriction]


def test_the_cached_restrictions_follow_every_change_to_them(demo):
    from django.contrib.auth.models import Group

    from portal.serving import view_restrictions

    page = RulePage.objects.get(slug="switching")

    def on_page():
        return [r.group_ids for r in view_restrictions() if r.path == page.path]

    assert on_page() == []
    restriction = PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.GROUPS)
    assert on_page() == [frozenset()]
    board = Group.objects.get_or_create(name="board_members")[0]
    restriction.groups.add(board)
    assert on_page() == [frozenset({board.pk})]
    restriction.delete()
    assert on_page() == []


def test_a_list_read_before_a_restriction_and_stored_after_it_is_never_read(demo):
    """A slow reader that read the restrictions before a change and stores them after it must not
    hide the change from anyone: it stores under the generation it began with, which is gone."""
    from django.core.cache import cache

    from portal import fragments
    from portal.serving import RESTRICTIONS, view_restrictions

    page = RulePage.objects.get(slug="switching")
    began_with = fragments.generation(RESTRICTIONS)
    read_before = view_restrictions()
    PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.LOGIN)
    cache.set("portal:view-restrictions", (began_with, read_before))  # stored late
    assert page.path in [r.path for r in view_restrictions()]
