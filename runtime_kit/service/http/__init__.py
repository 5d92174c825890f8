"""The REST + websocket API on FastAPI: the app, its routes, schemas and error shape, and the
request checks every route shares (bodies, uploads, rates).  The routes reach the core
through ``api.Api`` (``request.app.state.api``)."""
