from .base import *  # noqa: F403
from .base import SECRET_KEY

DEBUG = True
# A fixed key is fine on a laptop; production refuses to start without one.
SECRET_KEY = SECRET_KEY or "dev-only-insecure-key-0123456789abcdefghijklmnopqrstuvwxyz"
