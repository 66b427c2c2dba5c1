/**
 * Builds the designer into dist/designer through vite's JavaScript API with the
 * project's vite.config.ts — the one way both `serve --build-if-missing` and the
 * browser tests build it (vite's bin script is not part of its exported API).
 */
import { resolve } from 'node:path';

/**
 * A production build (React's production build is bundled only when NODE_ENV is
 * production; vitest, for one, sets it to test). Throws when the build fails.
 */
export async function buildDesigner(options: { /** The project folder (default: the working directory, like `serve`). */ root?: string; logLevel?: 'info' | 'warn' | 'error' | 'silent' } = {}): Promise<void> {
  const root = options.root ?? process.cwd();
  const { build } = await import('vite');
  const previous = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ configFile: resolve(root, 'vite.config.ts'), mode: 'production', logLevel: options.logLevel ?? 'warn' });
  } finally {
    if (previous === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = previous;
  }
}
