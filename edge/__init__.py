"""The HTTP edge the three apps share, framework-free (plain ASGI): one problem document (RFC 9457) and
code-to-status table, and one request-body cap. Each app's ``app.py`` wraps them in starlette."""
