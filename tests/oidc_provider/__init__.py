"""A real OpenID Connect provider (django-oidc-provider) for the SSO tests and the demo.

It is its own small Django project with its own settings and SQLite database, served by
gunicorn on its own port (`server.start`), so the portal talks to it over HTTP exactly as it
would talk to Entra ID or Keycloak. Its people mirror the demo's (`people.DEMO_PEOPLE`); those in
the `mfa` group get an ID token whose `amr` says the provider did multi-factor authentication.
"""
