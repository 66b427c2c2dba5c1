/**
 * index.html's early-requests script (designer/build/early-requests-plugin.ts) run in a bare context: what it
 * asks for on a link to a flow and on any other link, that the API client takes each answer once and only
 * until early-requests.ts closes the door, and that a script running after that starts nothing.
 */
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { earlyRequestsScript } from '../../../designer/build/early-requests-plugin.ts';
import { closeEarlyResponses, EARLY_RESPONSES, takeEarlyResponse } from '../../../designer/early-fetch.ts';

const FILES = { js: ['/assets/flow-editor-page-x.js', '/assets/esm-y.js'], css: ['/assets/esm-z.css'] };

function run(hash: string, window: Record<string, unknown> = {}) {
  const fetched: string[] = [];
  const links: { rel: string; href: string; as?: string }[] = [];
  const context = {
    window,
    location: { hash },
    fetch: (path: string) => {
      fetched.push(path);
      return Promise.resolve(new Response(JSON.stringify({ path })));
    },
    document: { createElement: () => ({}), head: { appendChild: (l: { rel: string; href: string; as?: string }) => links.push(l) } },
  };
  runInNewContext(earlyRequestsScript(FILES), context);
  return { fetched, links, window };
}

afterEach(() => {
  delete (globalThis as Record<string, unknown>)[EARLY_RESPONSES];
});

describe('early requests script', () => {
  it('asks for the session, the flow of a flow link and the editor\'s chunks', () => {
    const { fetched, links } = run('#/flows/ap%20invoices?tab=x');
    expect(fetched).toEqual(['/api/auth/me', '/api/flows/ap%20invoices']);
    expect(links.map((l) => [l.rel, l.href, l.as])).toEqual([
      ['modulepreload', '/assets/flow-editor-page-x.js', undefined], ['modulepreload', '/assets/esm-y.js', undefined], ['preload', '/assets/esm-z.css', 'style'],
    ]);
  });

  it('asks for the session alone on any other link, and for nothing once the entry has run', () => {
    expect(run('#/runs').fetched).toEqual(['/api/auth/me']);
    expect(run('#/flows/%E0%A4%A').fetched).toEqual(['/api/auth/me']);
    expect(run('#/flows/a', { [EARLY_RESPONSES]: null }).fetched).toEqual([]);
  });

  it('hands each answer to the API client once, for a GET, until the door is closed', async () => {
    const { window } = run('#/flows/a');
    (globalThis as Record<string, unknown>)[EARLY_RESPONSES] = window[EARLY_RESPONSES];
    expect(takeEarlyResponse('/api/auth/me', { method: 'POST' })).toBeUndefined();
    expect(await (await takeEarlyResponse('/api/auth/me'))!.json()).toEqual({ path: '/api/auth/me' });
    expect(takeEarlyResponse('/api/auth/me')).toBeUndefined();
    closeEarlyResponses();
    expect(takeEarlyResponse('/api/flows/a')).toBeUndefined();
  });
});
