// Starts Swagger UI on the API reference page (a file: the Content-Security-Policy forbids
// inline script). Same-origin calls carry the session cookie; unsafe ones also need the
// x-csrftoken header, copied here from the csrftoken cookie that logging in sets.
"use strict";

function csrfToken() {
  const found = document.cookie.split("; ").find((item) => item.startsWith("csrftoken="));
  return found ? decodeURIComponent(found.slice("csrftoken=".length)) : "";
}

window.addEventListener("load", () => {
  const root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.document,
    domNode: root,
    deepLinking: true,
    validatorUrl: null,
    withCredentials: true,
    requestInterceptor: (request) => {
      if (!["GET", "HEAD", "OPTIONS"].includes((request.method || "GET").toUpperCase())) {
        request.headers["x-csrftoken"] = csrfToken();
      }
      return request;
    },
  });
});
