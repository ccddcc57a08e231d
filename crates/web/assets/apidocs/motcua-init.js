// Starts Swagger UI on this server's OpenAPI document. Ours, not vendored;
// kept out of the HTML so that a Content-Security-Policy without
// 'unsafe-inline' allows it.
//
// "Try it out" sends the session cookie (same origin). Requests that change
// something with a cookie need the session's CSRF token, which
// /api/auth/login and /api/auth/me answer with: remember it and send it.
(function () {
  "use strict";
  var csrf = null;

  function remember(body) {
    if (body && typeof body === "object" && typeof body.csrf_token === "string") {
      csrf = body.csrf_token;
    }
  }

  fetch("/api/auth/me", { credentials: "same-origin" })
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(remember)
    .catch(function () {});

  window.ui = SwaggerUIBundle({
    url: "/api/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    // The default posts the document to an outside validator.
    validatorUrl: null,
    requestInterceptor: function (req) {
      if (csrf && req.method && req.method.toUpperCase() !== "GET") {
        req.headers["x-csrf-token"] = csrf;
      }
      return req;
    },
    responseInterceptor: function (res) {
      var path = res && res.url ? res.url.split("?")[0] : "";
      if (/\/api\/auth\/(login|me)$/.test(path)) {
        remember(res.body);
      } else if (/\/api\/auth\/logout$/.test(path) && res.ok) {
        csrf = null;
      }
      return res;
    }
  });
})();
