import { dirname } from 'node:path';
import express, { Router } from 'express';
import { buildOpenApiDocument } from './openapi-document';

const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>dreamqueue API reference</title>
    <link rel="stylesheet" href="/docs/assets/swagger-ui.css" />
    <link rel="icon" type="image/png" href="/docs/assets/favicon-32x32.png" />
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="/docs/assets/swagger-ui-bundle.js"></script>
    <script src="/docs/init.js"></script>
  </body>
</html>
`;

const SWAGGER_UI_DIR = dirname(require.resolve('swagger-ui-dist/package.json'));

// A file, not an inline script, so a strict Content-Security-Policy (script-src 'self') still allows it.
const INIT = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true });\n`;

/**
 * `GET /openapi.json` (the OpenAPI 3.1 document) and `GET /docs` (Swagger UI over it). Public: the API's
 * shape is not a secret, and "Authorize" in the page sends the key only to this origin. Swagger UI is
 * served from the swagger-ui-dist package; nothing is fetched from elsewhere at run time.
 */
export function apiReferenceRoutes(version = '0.1.0'): Router {
  const router = Router();
  const document = JSON.stringify(buildOpenApiDocument(version));
  router.get('/openapi.json', (_req, res) => {
    res.type('application/json').send(document);
  });
  router.get('/docs', (_req, res) => {
    res.type('html').send(PAGE);
  });
  router.get('/docs/init.js', (_req, res) => {
    res.type('text/javascript').send(INIT);
  });
  router.use('/docs/assets', express.static(SWAGGER_UI_DIR, { index: false, maxAge: '1h' }));
  return router;
}
