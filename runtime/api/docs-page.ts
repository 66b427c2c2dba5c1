/**
 * The API reference page, rendered on the server from the generated OpenAPI
 * document: no CDN, no client script. Operations grouped by tag, each with
 * its roles, parameters, request body and responses; schemas at the end.
 */
type Json = Record<string, any>;

const esc = (s: unknown) => String(s ?? '').replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);

/** Escapes, then renders `code` and **bold** (the only markup our descriptions use). */
const md = (s: unknown) => esc(s).replace(/`([^`]+)`/g, '<code>$1</code>').replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>').replace(/\n\n/g, '<br>');

const refName = (ref: string) => ref.split('/').pop()!;
const anchor = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, '-');

function typeOf(schema: Json | undefined): string {
  if (!schema) return 'any';
  if (schema.$ref) return `<a href="#schema-${anchor(refName(schema.$ref))}">${esc(refName(schema.$ref))}</a>`;
  if (schema.enum) return schema.enum.map((v: unknown) => `<code>${esc(JSON.stringify(v))}</code>`).join(' | ');
  if (schema.const !== undefined) return `<code>${esc(JSON.stringify(schema.const))}</code>`;
  for (const k of ['anyOf', 'oneOf', 'allOf']) if (schema[k]) return (schema[k] as Json[]).map(typeOf).join(k === 'allOf' ? ' & ' : ' | ');
  const t = Array.isArray(schema.type) ? schema.type.join(' | ') : schema.type;
  if (t === 'array') return `${typeOf(schema.items)}[]`;
  if (t === 'object' && !schema.properties && schema.additionalProperties && typeof schema.additionalProperties === 'object') return `map of ${typeOf(schema.additionalProperties)}`;
  return esc(t ?? 'any') + (schema.format ? ` <small>(${esc(schema.format)})</small>` : '');
}

/** A schema as a nested list of its properties, `depth` levels deep. */
function schemaHtml(schema: Json | undefined, depth = 0): string {
  if (!schema) return '';
  if (schema.$ref || !schema.properties) {
    const inner = schema.type === 'array' && schema.items?.properties && depth < 3 ? schemaHtml(schema.items, depth + 1) : '';
    return `<div class="type">${typeOf(schema)}${schema.description && depth === 0 ? ` — ${md(schema.description)}` : ''}</div>${inner}`;
  }
  const required = new Set<string>(schema.required ?? []);
  const rows = Object.entries(schema.properties as Record<string, Json>).map(([name, prop]) => {
    const nested = depth < 3 && (prop.properties || prop.items?.properties) ? schemaHtml(prop.properties ? prop : prop.items, depth + 1) : '';
    return `<li><code>${esc(name)}</code>${required.has(name) ? '' : '<span class="opt">?</span>'}: ${typeOf(prop)}${prop.description ? ` — ${md(prop.description)}` : ''}${nested}</li>`;
  });
  return `<ul class="props">${rows.join('')}</ul>`;
}

function contentHtml(content: Json | undefined): string {
  if (!content) return '';
  return Object.entries(content).map(([type, media]) => `<div class="media"><small>${esc(type)}</small>${schemaHtml((media as Json).schema)}</div>`).join('');
}

function operationHtml(method: string, path: string, op: Json): string {
  const id = anchor(`${method}-${path}`);
  const params = (op.parameters ?? []) as Json[];
  const paramRows = params.map((p) => `<tr><td><code>${esc(p.name)}</code></td><td>${esc(p.in)}</td><td>${typeOf(p.schema)}</td><td>${p.required ? 'required' : ''}</td><td>${md(p.description ?? p.schema?.description ?? '')}</td></tr>`).join('');
  const responses = Object.entries((op.responses ?? {}) as Record<string, Json>)
    .map(([status, r]) => `<li><span class="status s${status[0]}">${esc(status)}</span> ${md(r.description)}${contentHtml(r.content)}</li>`).join('');
  return `<section class="op" id="${id}">
  <h3><span class="method ${method}">${method.toUpperCase()}</span> <code>${esc(path)}</code></h3>
  <p class="summary">${md(op.summary)}</p>${op.description ? `<p>${md(op.description)}</p>` : ''}
  ${params.length ? `<h4>Parameters</h4><table><tr><th>name</th><th>in</th><th>type</th><th></th><th></th></tr>${paramRows}</table>` : ''}
  ${op.requestBody ? `<h4>Request body${op.requestBody.required ? '' : ' (optional)'}</h4>${contentHtml(op.requestBody.content)}` : ''}
  <h4>Responses</h4><ul class="responses">${responses}</ul>
</section>`;
}

const STYLE = `body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1d2330;display:flex}nav{width:270px;height:100vh;overflow:auto;position:sticky;top:0;background:#f4f6f9;padding:16px;box-sizing:border-box;font-size:13px}
nav a{color:#1d2330;text-decoration:none;display:block;padding:1px 0}nav h2{font-size:13px;margin:14px 0 4px;text-transform:uppercase;color:#66707f}main{padding:24px 40px;max-width:980px}
.op{border-top:1px solid #dde2ea;padding:10px 0 18px}.method{font:bold 12px monospace;padding:2px 6px;border-radius:4px;color:#fff;background:#5b6b80}.get{background:#2f7d4f}.post{background:#2760a8}.put{background:#8a5a12}.patch{background:#7a4aa0}.delete{background:#a33}
code{background:#eef1f5;padding:0 3px;border-radius:3px}table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #dde2ea;padding:3px 8px;text-align:left}.props{margin:4px 0;padding-left:18px;font-size:13px}.opt{color:#99a}
.status{font:bold 12px monospace;padding:1px 5px;border-radius:3px;background:#dde2ea}.s2{background:#cfe8d8}.s4{background:#f5dcdc}.s5{background:#f5e3c8}.media small{color:#66707f}h1{margin-top:0}h4{margin:10px 0 2px;font-size:13px}`;

/** The whole reference page for `doc` (an OpenAPI 3.1 document). */
export function renderDocsPage(doc: Json): string {
  const byTag = new Map<string, [string, string, Json][]>();
  for (const [path, item] of Object.entries((doc.paths ?? {}) as Record<string, Json>)) {
    for (const [method, op] of Object.entries(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const tag = (op.tags?.[0] as string) ?? 'Other';
      if (!byTag.has(tag)) byTag.set(tag, []);
      byTag.get(tag)!.push([method, path, op]);
    }
  }
  const schemas = Object.entries((doc.components?.schemas ?? {}) as Record<string, Json>).sort(([a], [b]) => a.localeCompare(b));
  const nav = [...byTag].map(([tag, ops]) => `<h2>${esc(tag)}</h2>${ops.map(([m, p, op]) => `<a href="#${anchor(`${m}-${p}`)}" title="${esc(op.summary)}"><b>${m.toUpperCase()}</b> ${esc(p)}</a>`).join('')}`).join('')
    + `<h2>Schemas</h2>${schemas.map(([name]) => `<a href="#schema-${anchor(name)}">${esc(name)}</a>`).join('')}`;
  const body = [...byTag].map(([tag, ops]) => `<h2 id="tag-${anchor(tag)}">${esc(tag)}</h2>${ops.map(([m, p, op]) => operationHtml(m, p, op)).join('')}`).join('')
    + `<h2>Schemas</h2>${schemas.map(([name, s]) => `<section class="op" id="schema-${anchor(name)}"><h3>${esc(name)}</h3>${s.description ? `<p>${md(s.description)}</p>` : ''}${schemaHtml({ ...s, description: undefined })}</section>`).join('')}`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(doc.info?.title)} — API reference</title><meta name="viewport" content="width=device-width,initial-scale=1"><style>${STYLE}</style></head>
<body><nav><strong>${esc(doc.info?.title)}</strong> <small>${esc(doc.info?.version)}</small><p><a href="/api/openapi.json">openapi.json</a></p>${nav}</nav>
<main><h1>${esc(doc.info?.title)} API</h1><div>${md(doc.info?.description)}</div>${body}</main></body></html>`;
}
