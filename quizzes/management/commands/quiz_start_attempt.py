"""Start (or resume) a person's attempt at a quiz and print its address; for support staff and tests."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from quizzes.models import Quiz
from quizzes.services import attempt_start


class Command(BaseCommand):
    help = "Start or resume an attempt at a quiz for a person and print the attempt's URL path."

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True)
        parser.add_argument("--quiz", required=True, help="quiz slug")
        parser.add_argument("--context", default="", help="opaque context key, e.g. assignment:12")
        parser.add_argument("--return-url", default="", help="local path the result page links back to")

    def handle(self, *args, email, quiz, context, return_url, **options):
        person = get_user_model().objects.filter(email__iexact=email).first()
        if person is None:
            raise CommandError(f"No person with e-mail {email}.")
        found = Quiz.objects.filter(slug=quiz).first()
        if found is None:
            raise CommandError(f"No quiz with slug {quiz}.")
        try:
            attempt = attempt_start(person=person, quiz=found, context=context, return_url=return_url)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages))
        self.stdout.write(attempt.get_absolute_url())
