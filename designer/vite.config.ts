import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { appShellServiceWorker } from './build/app-shell-sw';

// Vite 8 transforms TSX itself (oxc); @vitejs/plugin-react would only add Fast Refresh, so the build
// stays free of Babel. The dev server proxies the API to a locally running `npm start`.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  plugins: [appShellServiceWorker(fileURLToPath(new URL('./public', import.meta.url)))],
  oxc: { jsx: { runtime: 'automatic', importSource: 'react' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    rolldownOptions: {
      onwarn(warning, warn) {
        // Libraries mark their React Server Components entry points with "use client"; meaningless in an SPA.
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
      output: {
        // Libraries change less often than app code: separate chunks stay cached across releases.
        codeSplitting: {
          // Otherwise a group also swallows what its modules import (d3 pieces recharts shares with
          // the workflow canvas), and the eager chunks would then import the designer's chunk.
          includeDependenciesRecursively: false,
          groups: [
            { name: 'react', test: /node_modules[\\/](react|react-dom|scheduler|react-router)[\\/]/, priority: 20 },
            // Only the designer's screens (a lazy chunk) use these: end users never download them.
            {
              name: 'designer-vendor',
              test: /node_modules[\\/](@xyflow|zustand|d3-(drag|dispatch|selection|zoom|transition)|@codemirror|codemirror|@lezer|@marijn|style-mod|w3c-keyname|crelt|classcat)[\\/]/,
              priority: 18,
            },
            { name: 'ui', test: /node_modules[\\/](@radix-ui|radix-ui|lucide-react|@floating-ui)[\\/]/, priority: 15 },
            { name: 'vendor', test: /node_modules[\\/]/, priority: 10 },
          ],
        },
      },
    },
  },
  server: {
    proxy: { '/api': process.env.FORMA_API ?? 'http://127.0.0.1:3000' },
  },
});
