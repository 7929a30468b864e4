import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const src = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const api = 'http://127.0.0.1:3000';

export default defineConfig({
  plugins: [react()],
  resolve: {
    // The shared packages are consumed from source, so the client never waits for their build.
    alias: {
      '@cocreate/protocol': src('../packages/protocol/src/index.ts'),
      '@cocreate/ranking': src('../packages/ranking/src/index.ts'),
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    rolldownOptions: {
      treeshake: {
        // The protocol's modules only declare things (zod schemas included). Saying so lets the
        // bundler drop the ones the client does not use, which keeps zod out of the bundle.
        moduleSideEffects: [{ test: /[\\/]packages[\\/]protocol[\\/]src[\\/]/, sideEffects: false }],
      },
    },
  },
  server: {
    proxy: {
      '/api': { target: api, changeOrigin: false },
      '/docs': { target: api, changeOrigin: false },
      '/healthz': { target: api, changeOrigin: false },
      // The live layer (Socket.IO) shares the API's port.
      '/socket.io': { target: api, changeOrigin: false, ws: true },
      // The collaborative documents (y-websocket) too.
      '/collab': { target: api, changeOrigin: false, ws: true },
    },
  },
});
