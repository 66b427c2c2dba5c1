/**
 * A vite build plugin: index.html gets a small classic script of its own that starts what a deep link waits
 * for as soon as the HTML is parsed — the session
 * check, and for a link to a flow the flow itself and the flow editor's chunks (as modulepreloads) — instead
 * of once the entry (~75 KB gzipped) and its imports are loaded and evaluated, ~70–250 ms later on a busy
 * machine. A plain script, not `async` (Chromium ran that after the entry's modules): it holds up the parser
 * while its ~1 KB loads, with the entry's files requested beside it, and nothing renders before the entry
 * runs anyway. The API client takes those answers (designer/early-fetch.ts); early-requests.ts asks again for
 * anything this script did not start (a page served without it, the dev server).
 * No inline script: the Content-Security-Policy allows only the designer's own script files.
 */
import type { Plugin, Rolldown } from 'vite';

type OutputBundle = Rolldown.OutputBundle;
type OutputChunk = Rolldown.OutputChunk;
import { FLOW_EDITOR_PATTERN } from '../flow-editor-path.ts';
import { EARLY_RESPONSES } from '../early-fetch.ts';

const EDITOR_MODULE = /(^|[\\/])designer[\\/]flow-editor-page\.tsx$/;

/** The script: plain ES5-level JavaScript, run before any module of the build. */
export function earlyRequestsScript(editorFiles: { js: string[]; css: string[] }): string {
  // `/flows/:id` → a regular expression over the hash path, as router.ts's matchRoute reads it.
  const flowPath = `^${FLOW_EDITOR_PATTERN.replace(/:[^/]+/g, '([^/]+)')}$`;
  const key = JSON.stringify(EARLY_RESPONSES);
  return `(function () {
  // Loaded after the entry's first requests (closed, null): nothing to start.
  if (window[${key}] !== undefined) return;
  var early = window[${key}] = {};
  var get = function (path) {
    var p = fetch(path, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
    p.catch(function () {});
    early[path] = p;
  };
  get('/api/auth/me');
  var path = location.hash.replace(/^#/, '').split('?')[0];
  var flow = new RegExp(${JSON.stringify(flowPath)}).exec(path);
  if (!flow) return;
  try {
    get('/api/flows/' + encodeURIComponent(decodeURIComponent(flow[1])));
  } catch (e) {
    return; // a malformed link: the router shows the flows instead
  }
  var link = function (rel, href, as) {
    var l = document.createElement('link');
    l.rel = rel;
    l.href = href;
    l.crossOrigin = '';
    if (as) l.as = as;
    document.head.appendChild(l);
  };
  ${JSON.stringify(editorFiles.js)}.forEach(function (f) { link('modulepreload', f); });
  ${JSON.stringify(editorFiles.css)}.forEach(function (f) { link('preload', f, 'style'); });
})();
`;
}

type BuiltChunk = OutputChunk & { viteMetadata?: { importedCss: Set<string> } };

/** The flow editor chunk's file and every chunk it imports statically (and their CSS) that index.html does not load, as URLs. */
function editorFiles(bundle: OutputBundle, base: string) {
  const chunks = Object.values(bundle).filter((o): o is BuiltChunk => o.type === 'chunk');
  const byFile = new Map(chunks.map((c) => [c.fileName, c]));
  /** A chunk's file, its static imports' and their CSS. */
  const closure = (from: BuiltChunk | undefined) => {
    const js = new Set<string>();
    const css = new Set<string>();
    const visit = (c: BuiltChunk) => {
      if (js.has(c.fileName)) return;
      js.add(c.fileName);
      for (const f of c.viteMetadata?.importedCss ?? []) css.add(f);
      for (const f of c.imports) if (byFile.has(f)) visit(byFile.get(f)!);
    };
    if (from) visit(from);
    return { js, css };
  };
  const editor = chunks.find((c) => c.facadeModuleId && EDITOR_MODULE.test(c.facadeModuleId));
  if (!editor) throw new Error('early-requests: the build has no flow-editor-page chunk');
  const wanted = closure(editor);
  const inHtml = closure(chunks.find((c) => c.isEntry));
  const urls = (files: Set<string>, loaded: Set<string>) => [...files].filter((f) => !loaded.has(f)).map((f) => `${base}${f}`);
  return { js: urls(wanted.js, inHtml.js), css: urls(wanted.css, inHtml.css) };
}

export function earlyRequests(): Plugin {
  let base = '/';
  return {
    name: 'ledgerflow-early-requests',
    apply: 'build',
    // After vite has written index.html into the bundle.
    enforce: 'post',
    configResolved(config) {
      base = config.base;
    },
    generateBundle(_options, bundle) {
      const html = bundle['index.html'];
      if (html?.type !== 'asset') return;
      const ref = this.emitFile({ type: 'asset', name: 'early-requests.js', source: earlyRequestsScript(editorFiles(bundle, base)) });
      const tag = `<script src="${base}${this.getFileName(ref)}"></script>`;
      // Before the entry's tag: the browser asks for this small file first.
      html.source = String(html.source).replace(/(\s*)<script type="module"/, `$1${tag}$1<script type="module"`);
    },
  };
}
