import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// SharedArrayBuffer needs cross-origin isolation; both dev and preview send these.
// OFFLOAD_LAB_NO_ISOLATION=1 strips them so the e2e suite can check the fallback path.
const isolationHeaders: Record<string, string> =
  process.env.OFFLOAD_LAB_NO_ISOLATION === '1'
    ? {}
    : {
        'Cross-Origin-Opener-Policy': 'same-origin',
        'Cross-Origin-Embedder-Policy': 'require-corp',
        'Cross-Origin-Resource-Policy': 'same-origin',
      };

export default defineConfig({
  plugins: [react()],
  server: { host: '127.0.0.1', port: 5173, strictPort: true, headers: isolationHeaders },
  preview: { host: '127.0.0.1', port: 4173, strictPort: true, headers: isolationHeaders },
  worker: { format: 'es' },
  build: { target: 'es2023', sourcemap: true },
});
