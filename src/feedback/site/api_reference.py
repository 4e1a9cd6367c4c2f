"""The interactive API reference: Swagger UI served from its installed package, no CDN."""

from __future__ import annotations

from html import escape
from typing import Any

from litestar import Request, Router
from litestar.openapi.plugins import OpenAPIRenderPlugin
from litestar.static_files import create_static_files_router
from swagger_ui_bundle import swagger_ui_path

from feedback.web.access import PUBLIC

__all__ = ["ASSETS_PATH", "SwaggerReference"]

# Under the schema router, so the reference and what it loads share its public access.
ASSETS_PATH = "/swagger-ui"
# The page's own start-up code is a file, as the Content-Security-Policy runs no inline script.
START_SCRIPT = "/static/api-reference.js"


class SwaggerReference(OpenAPIRenderPlugin):
    """Swagger UI for the OpenAPI document; "Try it out" sends the session cookie and, on
    unsafe methods, the ``x-csrftoken`` header read from the ``csrftoken`` cookie."""

    def __init__(self, path: str = "/swagger") -> None:
        super().__init__(path=[path, "/"])
        self.assets = ""

    def receive_router(self, router: Router) -> None:
        self.assets = f"{router.path}{ASSETS_PATH}"
        router.register(
            create_static_files_router(
                path=ASSETS_PATH,
                directories=[swagger_ui_path],
                opt={"access": PUBLIC},
                include_in_schema=False,
            )
        )

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        title = escape(f"{openapi_schema['info']['title']} API reference")
        document = escape(self.get_openapi_json_route(request))
        return f"""<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{title}</title>
  <link rel="stylesheet" href="{self.assets}/swagger-ui.css">
</head>
<body>
  <main id="swagger-ui" data-document="{document}" aria-label="{title}"></main>
  <script src="{self.assets}/swagger-ui-bundle.js"></script>
  <script src="{START_SCRIPT}"></script>
</body>
</html>""".encode()
