/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { precompiledValidators } from './designer/build/precompile-validators.ts';
import { chunkUrlPlugin } from './runtime/designer-chunk-url.ts';
import { earlyRequests } from './designer/build/early-requests-plugin.ts';

const projectRoot = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  // Absolute, so a build started from code works from any working directory.
  root: fileURLToPath(new URL('designer', import.meta.url)),
  plugins: [chunkUrlPlugin(), react(), precompiledValidators(), earlyRequests()],
  // Should a web worker be bundled on its own, it gets the validators too.
  worker: { plugins: () => [precompiledValidators()] },
  build: {
    outDir: '../dist/designer',
    emptyOutDir: true,
    // Which files each screen and the flow-problems worker import: test/bench/designer-bundle-size.ts sums them.
    manifest: true,
    rolldownOptions: {
      output: {
        // The flow settings form reads the flow's JSON Schema; left to itself the bundler puts it in the
        // chunk of jsonata and re2js (the flow-problems worker's), which the page then loads to open a flow.
        // re2js (JSONata's regular expressions, nodes/expression/linear-regex.ts) runs in the flow-problems
        // worker and the previews, not to open a flow: on its own, not in the chunk of the parsers the
        // catalog imports (saxes, decimal.js), which the page loads to open a flow.
        codeSplitting: { groups: [{ name: 'flow-schema', test: /flows[\\/]flow\.schema\.json$/ }, { name: 're2js', test: /node_modules[\\/]re2js[\\/]|nodes[\\/]expression[\\/](linear-regex|reference-options)\.ts$/ }] },
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
    // Three files at a time on two cores. Vitest's default (cores − 1) ran one file at a time, while
    // most files spend much of their time waiting on another process (a PGlite store's own process,
    // Postgres, Chromium, a worker or CLI child) or on a broker's redelivery; with two, the suite took
    // 972 s on a quiet machine (2026-12-05). The timing tests (leases, outages) allow for a loaded machine.
    maxWorkers: 3,
    globalSetup: ['test/e2e/global-setup.ts'],
  },
});
