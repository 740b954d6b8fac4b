"""Django's own messages whose Japanese translation misleads a reader.

Listed here so that makemessages keeps them in the portal's catalogue (portal/locale), which
takes precedence over Django's. The module is never imported; only the strings matter.
"""

from django.utils.translation import gettext_noop

# Django's Japanese says "please enter some characters", which tells someone who typed a control
# character (pasted from a terminal, sent by a script) nothing about what is wrong.
gettext_noop("Null characters are not allowed.")
