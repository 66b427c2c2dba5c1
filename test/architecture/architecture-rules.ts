/**
 * The project's architecture as rules a test can check (README "Project
 * layout"): which folder may import which, and that no SQL is written above
 * runtime/store. Files are parsed with oxc-parser (TypeScript and TSX), so
 * imports are read from the syntax tree — static, dynamic, type-only,
 * re-exports and `import('…')` types alike — and SQL is looked for only in
 * string and template literals, never in comments or module names.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, posix, relative, sep } from 'node:path';
import { parseSync } from 'oxc-parser';

/** A source file, by its path from the repository root (with `/`). */
export interface SourceText {
  path: string;
  text: string;
}

export interface ModuleRef {
  /** As written. */
  specifier: string;
  /** A relative specifier resolved to a path from the repository root; else the specifier. */
  target: string;
  line: number;
  /** `import type …` / `export type … from`: names types only, reaches no code. */
  typeOnly?: boolean;
}

export interface Finding {
  rule: RuleName;
  file: string;
  line: number;
  detail: string;
}

export type RuleName = 'no-sql-above-store' | 'no-raw-driver-above-store' | 'engine-imports-nodes-only' | 'nodes-browser-safe' | 'designer-through-api-contract' | 'layers-point-down' | 'no-module-state' | 'cli-not-through-api';

/**
 * Above the store — all of runtime/ but the store itself and the connectors
 * (which talk to the flows' own target databases, not the store): no SQL text,
 * no database driver, no raw `Db` of the store. The issue names api, queue,
 * cli, engine (and app); the rest keeps it too.
 */
const isAboveStore = (path: string) => path.startsWith('runtime/') && !path.startsWith('runtime/store/') && !path.startsWith('runtime/connectors/');

/** The database drivers: only runtime/store talks to them. */
const DRIVERS = [/^pg$/, /^pg\//, /^pg-copy-streams$/, /^@electric-sql\/pglite(\/|$)/];

/** Packages that only run on the server (HTTP server, queue, logging, metrics, broker and SFTP clients): never in the engine or nodes/. */
const SERVER_ONLY = [/^hono(\/|$)/, /^@hono\//, /^pg-boss$/, /^pino(-pretty)?$/, /^prom-client$/, /^amqplib(\/|$)/, /^nats(\/|$)/, /^mysql2(\/|$)/, /^ssh2/, /^@opentelemetry\/(sdk|exporter)/, /^esbuild$/, /^undici(\/|$)/];
const isServerOnly = (specifier: string) => SERVER_ONLY.some((p) => p.test(specifier));

/** The store's internals that hand out a raw database handle (or a side channel to one). */
export const RAW_DB_MODULES = ['runtime/store/db.ts', 'runtime/store/postgres-db.ts', 'runtime/store/pglite-process.ts', 'runtime/store/pg-copy.ts', 'runtime/store/queue-backend.ts'];

/**
 * The API contract, the one way the designer reaches runtime/ (types of
 * requests and responses, and the enum lists): the folder below; no single
 * module outside it.
 */
export const API_CONTRACT_MODULES: string[] = [];
const API_CONTRACT_FOLDERS = ['runtime/api/contract/'];

/**
 * Where settings and dependencies are passed in, never kept in a module: the
 * engine, the use cases, the queue, the API and nodes/ declare no module-level
 * `let` or `var`. The bindings below stay: each caches something computed once
 * that is the same for every caller (or is a scratch buffer), so nothing can be
 * set through them. File → binding → why.
 */
export const MODULE_STATE_FOLDERS = ['runtime/engine/', 'runtime/app/', 'runtime/queue/', 'runtime/api/', 'nodes/'];
export const MODULE_STATE_ALLOWED: Record<string, Record<string, string>> = {
  'nodes/expression/jsonata-evaluator.ts': { boundedDefs: "jsonata's built-ins wrapped with output budgets, built once" },
  'nodes/expression/compiler/jsonata-internals.ts': { nativeDefs: "jsonata's own built-in definitions, read once" },
  'nodes/expression/compiler/runtime/builtins.ts': { table: 'the built-in function table, built once' },
  'nodes/expression/compiler/runtime/builtins-async.ts': { table: 'the asynchronous built-in function table, built once' },
  'nodes/expression/compiler/runtime/index.ts': { transformSignature: 'a parsed constant signature, parsed once' },
  'nodes/expression/compiler/compile.ts': { runtime: 'the compiled code\'s runtime object, built once', codeGenerationRefused: 'whether this JavaScript context refuses generated code (a fact of the context, found once)' },
  'nodes/expression/compiler/codegen/call.ts': { fnCounter: 'a counter making generated function names unique' },
  'nodes/formats/json-syntax.ts': {
    containers: 'a scratch buffer of the JSON syntax check, grown on demand',
    // Positions found in the text being checked (synchronously, one text at a time): where its next backslash and
    // control character are, so each is searched for once; a check of another text starts them afresh.
    scanEnd: 'the end of the text the synchronous syntax check is scanning',
    backslashAt: 'a search result in the text being checked (the next backslash), the same for every caller',
    controlAt: 'a search result in the text being checked (the next control character), the same for every caller',
    searchedText: 'which text the kept backslash position belongs to',
    searchedFrom: 'where in that text the kept backslash position was searched from',
  },
  'nodes/formats/xml-write.ts': { builder: 'the XML writer module, loaded once' },
  'nodes/schema-validator.ts': { ajv: 'the JSON Schema validator instance, made once' },
  'nodes/validate/record.ts': { codeGenerationRefused: 'whether this JavaScript context refuses generated code (a fact of the context, found once)' },
};

const NODE_BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
const isBuiltin = (specifier: string) => specifier.startsWith('node:') || NODE_BUILTINS.has(specifier.split('/')[0]) || NODE_BUILTINS.has(specifier);
const isDriver = (specifier: string) => DRIVERS.some((d) => d.test(specifier));
const isRelative = (specifier: string) => specifier.startsWith('./') || specifier.startsWith('../');

/**
 * SQL as the project writes it: a statement, or a `where`/`and` fragment with
 * `$n` parameters, in lower-case keywords (upper-case ones too, but not a
 * sentence's capitalised first word). Substitutions of a template count as `1`.
 */
const SQL_STATEMENT = String.raw`^\s*(?:select\s[\s\S]*?\bfrom\s+[\w."(]|select\s+(?:1|\$\d|count\(|now\(|pg_\w+\()|insert\s+into\s|update\s+[\w."]+\s+set\s|delete\s+from\s|with\s+(?:recursive\s+)?\w+\s+as\s*\(|create\s+(?:or\s+replace\s+|unique\s+|temp(?:orary)?\s+)*(?:table|index|schema|function|trigger|view|sequence|extension)\s|alter\s+(?:table|schema|sequence)\s|drop\s+(?:table|schema|index|function|trigger|view)\s|truncate\s|copy\s+[\w."]+\s*\(|lock\s+table\s|(?:release\s+|rollback\s+to\s+)?savepoint\s|listen\s|notify\s|set\s+(?:local\s+)?(?:search_path|lock_timeout|statement_timeout|transaction)\b)`;
const SQL_FRAGMENT = String.raw`(?:^|\s)(?:where|and|or|on)\s+[\w.]+\s*(?:=|<>|!=|>=|<=|<|>|in\b|is\b|like\b|ilike\b)[^\n]*\$\d`;
const SQL_PATTERNS = [new RegExp(SQL_STATEMENT), new RegExp(SQL_FRAGMENT)];

/** Whether `text` (a string or template literal's content) is SQL. */
export function looksLikeSql(text: string): boolean {
  const keywordsLowered = text.replace(/\b[A-Z]{2,}\b/g, (w) => w.toLowerCase());
  return SQL_PATTERNS.some((p) => p.test(keywordsLowered));
}

type AstNode = { type: string; start: number; end: number; [key: string]: unknown };
const isNode = (v: unknown): v is AstNode => typeof v === 'object' && v !== null && typeof (v as AstNode).type === 'string';

function walk(node: AstNode, visit: (node: AstNode, parent: AstNode | null, key: string | null) => boolean | undefined, parent: AstNode | null = null, key: string | null = null): void {
  if (visit(node, parent, key) === false) return;
  for (const [k, value] of Object.entries(node)) {
    if (Array.isArray(value)) for (const v of value) { if (isNode(v)) walk(v, visit, node, k); }
    else if (isNode(value)) walk(value, visit, node, k);
  }
}

function lineOf(text: string): (offset: number) => number {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return (offset) => {
    let lo = 0, hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid; else hi = mid - 1;
    }
    return lo + 1;
  };
}

/** The names a binding pattern binds (`let a`, `let { a, b: c }`, `let [d, ...e]`). */
function boundNames(pattern: AstNode | null): string[] {
  if (!pattern) return [];
  switch (pattern.type) {
    case 'Identifier': return [pattern.name as string];
    case 'ObjectPattern': return (pattern.properties as AstNode[]).flatMap((p) => boundNames((p.type === 'RestElement' ? p.argument : p.value) as AstNode));
    case 'ArrayPattern': return (pattern.elements as (AstNode | null)[]).flatMap(boundNames);
    case 'RestElement': return boundNames(pattern.argument as AstNode);
    case 'AssignmentPattern': return boundNames(pattern.left as AstNode);
    default: return [];
  }
}

const MODULE_HOLDERS: Record<string, string> = {
  ImportDeclaration: 'source', ExportNamedDeclaration: 'source', ExportAllDeclaration: 'source',
  ImportExpression: 'source', TSImportType: 'source', TSExternalModuleReference: 'expression',
};

interface Parsed {
  refs: ModuleRef[];
  strings: { text: string; line: number }[];
  /** Module-level `let`/`var` bindings. */
  moduleBindings: { name: string; kind: string; line: number }[];
}

const parsedCache = new Map<string, Parsed>();

function parse(file: SourceText): Parsed {
  const key = `${file.path}\0${file.text}`;
  const cached = parsedCache.get(key);
  if (cached) return cached;
  const result = parseSync(file.path, file.text, { sourceType: 'module', range: false });
  if (result.errors.length) throw new Error(`${file.path}: ${result.errors[0].message}`);
  const line = lineOf(file.text);
  const refs: ModuleRef[] = [];
  const strings: { text: string; line: number }[] = [];
  walk(result.program as unknown as AstNode, (node, parent, key) => {
    const holder = parent && MODULE_HOLDERS[parent.type];
    if (holder && key === holder) {
      // A module name, not data: recorded as an import (when it is a plain string), never as a string.
      const value = node.type === 'Literal' ? node.value : node.type === 'TemplateLiteral' && (node.expressions as unknown[]).length === 0 ? (node.quasis as { value: { cooked: string } }[])[0].value.cooked : null;
      if (typeof value === 'string') {
        const target = isRelative(value) ? posix.normalize(posix.join(posix.dirname(file.path), value)) : value;
        const typeOnly = parent.importKind === 'type' || parent.exportKind === 'type' || parent.type === 'TSImportType';
        refs.push({ specifier: value, target, line: line(node.start), ...(typeOnly ? { typeOnly } : {}) });
      }
      return false;
    }
    if (node.type === 'Literal' && typeof node.value === 'string') strings.push({ text: node.value, line: line(node.start) });
    // A template's text with each substitution as `1`; the walk goes on into its substitutions.
    if (node.type === 'TemplateLiteral') strings.push({ text: (node.quasis as { value: { cooked: string | null; raw: string } }[]).map((q) => q.value.cooked ?? q.value.raw).join('1'), line: line(node.start) });
    return undefined;
  });
  const moduleBindings: Parsed['moduleBindings'] = [];
  for (const statement of (result.program as unknown as { body: AstNode[] }).body) {
    const declaration = statement.type === 'ExportNamedDeclaration' ? (statement.declaration as AstNode | null) : statement;
    if (declaration?.type !== 'VariableDeclaration' || (declaration.kind !== 'let' && declaration.kind !== 'var')) continue;
    for (const d of declaration.declarations as AstNode[]) {
      for (const name of boundNames(d.id as AstNode)) moduleBindings.push({ name, kind: declaration.kind as string, line: line(d.start) });
    }
  }
  const parsed = { refs, strings, moduleBindings };
  parsedCache.set(key, parsed);
  return parsed;
}

/** What `file` imports (static, dynamic, type-only, re-exports, import types). */
export function moduleRefs(file: SourceText): ModuleRef[] {
  return parse(file).refs;
}

/** Every rule that applies to `file`, checked. */
export function checkFile(file: SourceText): Finding[] {
  const findings: Finding[] = [];
  const add = (rule: RuleName, line: number, detail: string) => findings.push({ rule, file: file.path, line, detail });
  const { refs, strings, moduleBindings } = parse(file);
  const under = (folder: string) => file.path.startsWith(folder);

  if (isAboveStore(file.path)) {
    for (const s of strings) if (looksLikeSql(s.text)) add('no-sql-above-store', s.line, `SQL text: ${JSON.stringify(s.text.trim().slice(0, 60))}`);
    for (const r of refs) {
      if (isDriver(r.specifier)) add('no-raw-driver-above-store', r.line, `imports the database driver '${r.specifier}'`);
      // A type-only import of `Db` names the transaction a use case or the queue hands to the store's
      // repositories (`database.db.transaction(tx => repo(tx)…)`); it reaches no driver, and SQL text
      // above the store is caught by the rule before. Anything else from these modules is the raw handle.
      else if (RAW_DB_MODULES.includes(r.target) && !(r.typeOnly && r.target === 'runtime/store/db.ts')) add('no-raw-driver-above-store', r.line, `imports the store's raw database handle (${r.target})`);
    }
  }

  if (under('runtime/engine/')) {
    for (const r of refs) {
      if (isRelative(r.specifier) ? !(r.target.startsWith('nodes/') || r.target.startsWith('runtime/engine/')) : isBuiltin(r.specifier) || isDriver(r.specifier) || isServerOnly(r.specifier)) {
        add('engine-imports-nodes-only', r.line, `imports ${r.target}; the engine may import nodes/ and its own folder (and browser-safe packages)`);
      }
    }
  }

  if (under('nodes/')) {
    for (const r of refs) {
      if (isRelative(r.specifier) ? r.target.startsWith('runtime/') || r.target.startsWith('designer/') : isBuiltin(r.specifier) || isDriver(r.specifier) || isServerOnly(r.specifier)) {
        add('nodes-browser-safe', r.line, `imports ${r.target}; nodes/ runs in the browser too (no node:*, drivers, runtime/ or designer/)`);
      }
    }
  }

  // The use cases know no entry point; the store knows no use case and no entry point.
  const below: [string, string[]][] = [['runtime/app/', ['runtime/api/', 'runtime/cli/', 'runtime/cli.ts', 'runtime/main.ts']], ['runtime/store/', ['runtime/app/', 'runtime/api/', 'runtime/cli/', 'runtime/queue/', 'runtime/cli.ts', 'runtime/main.ts']]];
  for (const [folder, above] of below) {
    if (!under(folder)) continue;
    for (const r of refs) if (above.some((a) => r.target.startsWith(a))) add('layers-point-down', r.line, `imports ${r.target}; ${folder} sits below ${above.join(', ')}`);
  }

  // The CLI and the API are sibling adapters over the use cases: what both need lives in runtime/app (or below).
  if (under('runtime/cli/') || file.path === 'runtime/cli.ts') {
    for (const r of refs) if (r.target.startsWith('runtime/api/')) add('cli-not-through-api', r.line, `imports ${r.target}; the CLI reaches the use cases in runtime/app, never the HTTP adapter`);
  }

  if (MODULE_STATE_FOLDERS.some(under)) {
    for (const b of moduleBindings) {
      if (!MODULE_STATE_ALLOWED[file.path]?.[b.name]) add('no-module-state', b.line, `module-level \`${b.kind} ${b.name}\`: pass settings and dependencies in (or, for a cache of a result the same for every caller, list it in MODULE_STATE_ALLOWED with why)`);
    }
  }

  if (under('designer/')) {
    for (const r of refs) {
      if (r.target.startsWith('runtime/') && !API_CONTRACT_MODULES.includes(r.target) && !API_CONTRACT_FOLDERS.some((f) => r.target.startsWith(f))) {
        add('designer-through-api-contract', r.line, `imports ${r.target}; the designer reaches runtime/ only through the API contract (${API_CONTRACT_MODULES.join(', ')})`);
      }
    }
  }
  return findings;
}

const SOURCE = /\.(?:ts|tsx|mts|mjs|js)$/;

/** The project's source files under `folders` (from the repository root `root`). */
export function sourceFiles(root: string, folders: string[]): SourceText[] {
  const files: SourceText[] = [];
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) visit(path);
      else if (SOURCE.test(entry.name) && !entry.name.endsWith('.d.ts')) files.push({ path: relative(root, path).split(sep).join('/'), text: readFileSync(path, 'utf8') });
    }
  };
  for (const folder of folders) visit(join(root, folder));
  return files;
}

/** Every finding in `files`. */
export function checkArchitecture(files: SourceText[]): Finding[] {
  return files.flatMap(checkFile);
}
