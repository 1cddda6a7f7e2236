// The demo app: two pages (the dapp and the wallet) built against the built package (dist/),
// the way a dapp imports it; Vitest runs the pages' logic tests.
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import react from '@vitejs/plugin-react'
import { defineConfig } from 'vitest/config'

const here = dirname(fileURLToPath(import.meta.url))

export default defineConfig({
  root: here,
  plugins: [react()],
  resolve: { alias: { 'session-keys': resolve(here, '../dist/index.js') } },
  build: {
    outDir: resolve(here, '../dist-app'),
    emptyOutDir: true,
    reportCompressedSize: false,
    // viem (with account abstraction) and React: one shared chunk of about 600 kB, 180 kB gzipped.
    chunkSizeWarningLimit: 800,
    rollupOptions: { input: { dapp: resolve(here, 'dapp/index.html'), wallet: resolve(here, 'wallet/index.html') } },
  },
  logLevel: 'warn',
  test: { root: here, include: ['test/**/*.test.ts'], environment: 'node' },
})
