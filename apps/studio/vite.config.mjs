// The studio is a static bundle: `vite build` writes dist/index.html and content-hashed files under
// dist/assets/, which the API serves at / (STUDIO_DIR). Nothing is loaded from elsewhere at run time.
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/',
  publicDir: false,
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    reportCompressedSize: true,
    // Everything is bundled: no inlined data URLs that a strict CSP would have to allow for scripts.
    assetsInlineLimit: 0,
  },
});
