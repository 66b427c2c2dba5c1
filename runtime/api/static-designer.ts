/**
 * The built designer (vite → dist/designer) at `/`, with index.html for any
 * other path that is not an API, hook or asset, so client-side routes load.
 */
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import type { Context } from 'hono';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.woff2': 'font/woff2', '.woff': 'font/woff',
  '.map': 'application/json', '.txt': 'text/plain; charset=utf-8', '.wasm': 'application/wasm',
};

async function fileResponse(path: string, immutable: boolean): Promise<Response | null> {
  try {
    const s = await stat(path);
    if (!s.isFile()) return null;
    return new Response(await readFile(path), {
      headers: {
        'Content-Type': TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream',
        'Cache-Control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      },
    });
  } catch {
    return null;
  }
}

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>Ledgerflow</title><body style="font:16px system-ui;margin:40px">
<h1>Ledgerflow</h1><p>The designer is not built yet. Run <code>npm run build</code> (or start with <code>npm start</code>, which builds it when missing).</p>
<p>The API is up: <a href="/api/docs">API reference</a> · <a href="/healthz">/healthz</a></p></body>`;

/** A handler serving `dir`; `dir` null answers a page saying how to build it. */
export function designerHandler(dir: string | null | undefined) {
  const root = dir ? normalize(dir) : null;
  return async (c: Context): Promise<Response> => {
    if (!root) return c.html(NOT_BUILT, 200);
    const path = decodeURIComponent(new URL(c.req.url).pathname);
    const full = normalize(join(root, path));
    if (full !== root && !full.startsWith(root.endsWith(sep) ? root : root + sep)) return c.text('Not found', 404);
    const direct = path !== '/' ? await fileResponse(full, path.startsWith('/assets/')) : null;
    if (direct) return direct;
    // Missing assets are real 404s; everything else is a client-side route.
    if (extname(path) && path !== '/index.html') return c.text('Not found', 404);
    return (await fileResponse(join(root, 'index.html'), false)) ?? c.html(NOT_BUILT, 200);
  };
}
