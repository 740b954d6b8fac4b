"""Question banks and quizzes in the Wagtail admin (compliance editors), and the panel on case pages."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.tables import UpdatedAtColumn
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from . import case_panel
from .models import QuestionBank, Quiz


class QuestionBankViewSet(SnippetViewSet):
    model = QuestionBank
    icon = "help"
    menu_label = _("Question banks")
    list_display = ["title", "slug", UpdatedAtColumn()]
    search_fields = ["title", "description"]


class QuizViewSet(SnippetViewSet):
    model = Quiz
    icon = "tasks"
    menu_label = _("Quizzes")
    list_display = ["title", "slug", "question_count", "pass_mark_percent", "max_attempts", "time_limit_minutes"]
    search_fields = ["title", "slug"]


class QuizzesViewSetGroup(SnippetViewSetGroup):
    items = (QuestionBankViewSet, QuizViewSet)
    menu_icon = "help"
    menu_label = _("Quizzes")
    menu_name = "quizzes"
    add_to_admin_menu = True


register_snippet(QuizzesViewSetGroup)


@hooks.register("casebook_case_page_panels")
def quiz_questions_about_this_case(request, page):
    return case_panel.questions_about_case(page)
