import pytest


@pytest.fixture(autouse=True)
def checkpoint_dir(settings, tmp_path):
    """Each test gets its own checkpoint folder and signing key, as each database has its own."""
    settings.AUDIT_CHECKPOINT_DIR = tmp_path / "checkpoints"
    settings.AUDIT_CHECKPOINT_SIGNING_KEY_FILE = ""
    settings.AUDIT_CHECKPOINT_VERIFY_KEY = ""
    return settings.AUDIT_CHECKPOINT_DIR
