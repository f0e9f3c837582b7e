"""The REST API: a django-ninja API at /api/ over the same services and scoped selectors as
the pages and commands; tokens for other systems (`xiezuo token`). See docs/api.md."""
