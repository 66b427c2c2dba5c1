/**
 * Builds the designer once before the browser tests and the designer bench (they
 * test what `npm start` serves), unless a production build newer than every
 * designer source is already there.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildDesigner } from '../../runtime/designer-build.ts';

const ROOT = resolve(import.meta.dirname, '../..');

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** A build made with NODE_ENV other than production bundles React's development build. */
function isDevelopmentBuild(): boolean {
  const assets = join(ROOT, 'dist/designer/assets');
  return readdirSync(assets).some((f) => f.endsWith('.js') && readFileSync(join(assets, f), 'utf8').includes('react.dev/link/react-devtools'));
}

export default async function setup(): Promise<void> {
  const index = join(ROOT, 'dist/designer/index.html');
  const sources = Math.max(newest(join(ROOT, 'designer')), newest(join(ROOT, 'nodes')));
  if (existsSync(index) && statSync(index).mtimeMs > sources && !isDevelopmentBuild()) return;
  // vitest sets NODE_ENV=test; buildDesigner builds what users get (production) all the same.
  await buildDesigner({ root: ROOT });
}
