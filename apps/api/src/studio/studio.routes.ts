import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import express, { Router } from 'express';
import { AppError } from '@dreamqueue/errors';

/** The studio's build output in this checkout (`apps/studio/dist`), from apps/api/src or apps/api/dist alike. */
export const DEFAULT_STUDIO_DIR = resolve(__dirname, '../../../studio/dist');

/**
 * The page may load only itself; images come from presigned S3 URLs (another origin), so `img-src` allows
 * http(s). Presigned URLs must not leak through Referer headers.
 */
const PAGE_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob: https: http:; " +
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-cache',
};

/**
 * Serves the web studio (apps/studio, built by Vite) on the API's origin: `index.html` at `/`, revalidated
 * on every load so a deploy shows at once, and the content-hashed files under `/assets/` cached for a
 * year. Only these two paths touch the disk; everything else (unknown `/v1` routes included) falls
 * through to the JSON 404.
 */
export function studioRoutes(dir: string = DEFAULT_STUDIO_DIR): Router {
  const router = Router();
  const index = join(dir, 'index.html');
  router.get('/', (_req, res, next) => {
    if (!existsSync(index)) {
      return next(
        new AppError(
          'studio_not_built',
          `The web studio is not built (no ${index}). Run \`npm run build\` (npm start does), or set STUDIO_DIR.`,
          { status: 404 },
        ),
      );
    }
    res.set(PAGE_HEADERS).sendFile(index);
  });
  router.use(
    '/assets',
    express.static(join(dir, 'assets'), {
      index: false,
      redirect: false,
      fallthrough: true,
      immutable: true,
      maxAge: '365d',
      setHeaders: (res) => res.setHeader('x-content-type-options', 'nosniff'),
    }),
  );
  return router;
}
