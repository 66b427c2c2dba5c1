/**
 * Builds the designer once before the browser tests and the designer bench (they
 * test what `npm start` serves), unless a production build newer than every
 * designer source is already there.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

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

export default function setup(): void {
  const index = join(ROOT, 'dist/designer/index.html');
  const sources = Math.max(newest(join(ROOT, 'designer')), newest(join(ROOT, 'nodes')));
  if (existsSync(index) && statSync(index).mtimeMs > sources && !isDevelopmentBuild()) return;
  // vitest sets NODE_ENV=test, which would make this React's development build: build what users get.
  execFileSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], {
    cwd: ROOT, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' },
  });
}
