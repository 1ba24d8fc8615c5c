"""Settings for a relay run in its own process by the durability test: e-mails go to files."""

import os

from kawal.settings import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = os.environ["KAWAL_TEST_MAIL_DIR"]
