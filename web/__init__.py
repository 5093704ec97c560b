"""The web pages (``grantbook serve``): a thin FastAPI layer over the application service.

Sign-in (local token or OpenID Connect), sessions in the store's database, CSRF on every form,
security headers; each page module parses a request, calls ``GrantBook`` or a read model's
question, and renders a Jinja2 template. No business rule lives here (docs/adr/0011-web-layer.md).
"""
