from wagtail import hooks

from . import rule_panel


@hooks.register("portal_rule_page_panels")
def cases_that_broke_this_rule(request, page):
    return rule_panel.cases_that_broke(page)
