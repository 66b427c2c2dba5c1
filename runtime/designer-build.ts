/**
 * Builds the designer into dist/designer through vite's JavaScript API with the
 * project's vite.config.ts — the one way both `serve --build-if-missing` and the
 * browser tests build it (vite's bin script is not part of its exported API).
 */
import { resolve } from 'node:path';

/**
 * A production build whatever the process's NODE_ENV (vitest, for one, sets it to
 * test, which would bundle React's development build). Throws when the build fails.
 */
export async function buildDesigner(options: { /** The project folder (default: the working directory, like `serve`). */ root?: string; logLevel?: 'info' | 'warn' | 'error' | 'silent' } = {}): Promise<void> {
  const root = options.root ?? process.cwd();
  const { build } = await import('vite');
  // Stated in the build itself rather than by setting the process's NODE_ENV, which the caller owns.
  await build({
    configFile: resolve(root, 'vite.config.ts'), mode: 'production', logLevel: options.logLevel ?? 'warn',
    define: { 'process.env.NODE_ENV': JSON.stringify('production') },
  });
}
