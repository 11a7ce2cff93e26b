// Starts Swagger UI on /docs (a static file: the Content-Security-Policy allows no inline script).
"use strict";
window.addEventListener("load", () => {
  window.ui = window.SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true });
});
