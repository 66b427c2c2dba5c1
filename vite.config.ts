/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { chunkUrlPlugin } from './runtime/designer-chunk-url.ts';

const projectRoot = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  // Absolute, so a build started from code works from any working directory.
  root: fileURLToPath(new URL('designer', import.meta.url)),
  plugins: [chunkUrlPlugin(), react()],
  build: {
    outDir: '../dist/designer',
    emptyOutDir: true,
    rolldownOptions: {
      output: {
        // The flow settings form reads the flow's JSON Schema; left to itself the bundler puts it in the
        // chunk of jsonata and re2js (the flow-problems worker's), which the page then loads to open a flow.
        codeSplitting: { groups: [{ name: 'flow-schema', test: /flows[\\/]flow\.schema\.json$/ }] },
      },
    },
  },
  server: {
    // Trailing slashes: '/api' alone would also catch the designer's own /api-client.ts module.
    proxy: { '/api/': 'http://127.0.0.1:8080', '/hooks/': 'http://127.0.0.1:8080' },
  },
  test: {
    root: projectRoot,
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    globalSetup: ['test/e2e/global-setup.ts'],
  },
});
