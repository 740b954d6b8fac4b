"""Which release of the portal this process runs.

Rendered markup kept in the cache (shared rule pages, the rule body fragment) carries it in its
key, so after a deploy no server hands out markup rendered by the release before: old template
text, or static file names that the new manifest no longer has (production stores static files
under hashed names).

`PORTAL_RELEASE` (environment) names the release, e.g. the commit deployed. Without it, the
release is a digest of the project's own templates and translation catalogues and of the static
files manifest, computed once per process.
"""

import functools
import hashlib
import os
from pathlib import Path

from django.apps import apps
from django.conf import settings


@functools.cache
def release() -> str:
    configured = os.environ.get("PORTAL_RELEASE", "").strip()
    if configured:
        return configured[:40]
    digest = hashlib.sha256()
    for path in _release_files():
        digest.update(str(path.relative_to(settings.BASE_DIR)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _release_files() -> list[Path]:
    base = Path(settings.BASE_DIR)
    roots = [Path(d) for template in settings.TEMPLATES for d in template.get("DIRS", [])]
    own_apps = [Path(app.path) for app in apps.get_app_configs() if Path(app.path).parent == base]
    roots += [app / folder for app in own_apps for folder in ("templates", "locale")]
    roots += [Path(p) for p in settings.LOCALE_PATHS]
    files = [path for root in roots if root.is_dir() for path in root.rglob("*") if path.is_file()]
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if manifest.is_file():
        files.append(manifest)
    return sorted({f for f in files if f.is_relative_to(base) and f.suffix != ".mo"})
