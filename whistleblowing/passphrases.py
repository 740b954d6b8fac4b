"""How strong a handler's passphrase is, rated with zxcvbn.

A handler's private key sits in the database encrypted under a key derived from the
passphrase, so whoever copies the database can guess offline as long as they like; Argon2id
only slows each guess. The passphrase must therefore reach zxcvbn's top score (4, "very
unguessable: strong protection from offline slow-hash scenario"), not merely a length.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from zxcvbn import zxcvbn

MIN_LENGTH = 12
# zxcvbn gives its advice in English only; the usual sentences are translated here, any other
# is shown as the library gives it.
ADVICE = {
    "Add another word or two. Uncommon words are better.": gettext_lazy(
        "Add another word or two. Uncommon words are better."
    ),
    "Use a few words, avoid common phrases.": gettext_lazy("Use a few words, avoid common phrases."),
    "Avoid repeated words and characters.": gettext_lazy("Avoid repeated words and characters."),
    "Avoid sequences.": gettext_lazy("Avoid sequences."),
    "Avoid recent years.": gettext_lazy("Avoid recent years."),
    "Avoid years that are associated with you.": gettext_lazy("Avoid years that are associated with you."),
    "Avoid dates and years that are associated with you.": gettext_lazy(
        "Avoid dates and years that are associated with you."
    ),
    "Use a longer keyboard pattern with more turns.": gettext_lazy("Use a longer keyboard pattern with more turns."),
    "Straight rows of keys are easy to guess.": gettext_lazy("Straight rows of keys are easy to guess."),
    "Short keyboard patterns are easy to guess.": gettext_lazy("Short keyboard patterns are easy to guess."),
    "A word by itself is easy to guess.": gettext_lazy("A word by itself is easy to guess."),
    "This is a top-10 common password.": gettext_lazy("This is a very common password."),
    "This is a top-100 common password.": gettext_lazy("This is a very common password."),
    "This is a very common password.": gettext_lazy("This is a very common password."),
    "This is similar to a commonly used password.": gettext_lazy("This is similar to a commonly used password."),
    "Dates are often easy to guess.": gettext_lazy("Dates are often easy to guess."),
    "Recent years are easy to guess.": gettext_lazy("Recent years are easy to guess."),
    "Names and surnames by themselves are easy to guess.": gettext_lazy(
        "Names and surnames by themselves are easy to guess."
    ),
    "Common names and surnames are easy to guess.": gettext_lazy("Common names and surnames are easy to guess."),
    "No need for symbols, digits, or uppercase letters.": gettext_lazy(
        "No need for symbols, digits, or uppercase letters."
    ),
}


def min_score() -> int:
    """The lowest zxcvbn score accepted (`HOTLINE_PASSPHRASE_MIN_SCORE`, 4 by default, never below 3)."""
    return max(3, min(4, int(getattr(settings, "HOTLINE_PASSPHRASE_MIN_SCORE", 4))))


def _advice(text: str) -> str:
    if text.startswith("Repeats like"):
        return _("Avoid repeated words and characters.")
    if text.startswith("Sequences like"):
        return _("Avoid sequences.")
    return str(ADVICE.get(text, text))


def check_passphrase(passphrase: str, *, user_inputs: list[str] = ()) -> None:
    """Raise ValidationError, with zxcvbn's advice, unless the passphrase is strong enough.

    `user_inputs` are words zxcvbn should treat as known (the handler's name and e-mail).
    """
    if len(passphrase) < MIN_LENGTH:
        raise ValidationError(_("The passphrase must be at least %(count)d characters long.") % {"count": MIN_LENGTH})
    # zxcvbn's running time grows with the length; the first 100 characters decide the rating.
    result = zxcvbn(passphrase[:100], user_inputs=[word for word in user_inputs if word])
    if result["score"] >= min_score():
        return
    feedback = result["feedback"]
    messages = [_("This passphrase is too easy to guess.")]
    if feedback.get("warning"):
        messages.append(_advice(feedback["warning"]))
    messages += [_advice(text) for text in feedback.get("suggestions", [])]
    messages.append(_("Try four or five unrelated words, or a longer sentence only you would write."))
    raise ValidationError(messages)
