// Starts Swagger UI on /docs (src/users/docs.c).  A file of its own, not an
// inline script, so the page's Content-Security-Policy allows only 'self'.
// URLs are relative to the page, so a BASE_PATH prefix needs nothing here.
window.addEventListener("load", function () {
	window.ui = SwaggerUIBundle({
		url: "openapi.json",
		dom_id: "#swagger-ui",
		presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
		layout: "BaseLayout",
		deepLinking: true,
		showExtensions: true,
		// No badge from the public validator: the page talks to this server only.
		validatorUrl: null,
		// "Authorize" sends the OAuth2 password form (username, password) to
		// auth/jwt/login; the token is kept in the page, not in storage.
		persistAuthorization: false,
		tryItOutEnabled: false
	});
});
