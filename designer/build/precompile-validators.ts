/**
 * A vite build plugin: the designer gets the flow document's and every node
 * type's config validator as ajv standalone code generated here, in place of
 * nodes/schema-validator.ts (which compiles them with `new Function`), so the
 * designer runs under a Content-Security-Policy without 'unsafe-eval'.
 */
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vite';
import Ajv2020 from 'ajv/dist/2020.js';
import standaloneCode from 'ajv/dist/standalone/index.js';
import flowSchema from '../../nodes/flow-document.schema.json' with { type: 'json' };
import { configSchemaKey, DECLARED_SCHEMA_OPTIONS, FLOW_SCHEMA_KEY } from '../../nodes/schema-keys.ts';

const VIRTUAL_ID = 'virtual:precompiled-validators';
const RESOLVED_ID = `\0${VIRTUAL_ID}`;
const SERVER_MODULE = fileURLToPath(new URL('../../nodes/schema-validator.ts', import.meta.url));
const BROWSER_MODULE = fileURLToPath(new URL('../precompiled-validators.ts', import.meta.url));

// CommonJS modules; their default export differs between loaders.
const AjvClass = ((Ajv2020 as unknown as { default?: typeof Ajv2020 }).default ?? Ajv2020) as typeof Ajv2020;
const generate = ((standaloneCode as unknown as { default?: typeof standaloneCode }).default ?? standaloneCode) as typeof standaloneCode;

/** ES module source exporting, as default, the validators by key. */
export async function precompiledValidatorsSource(): Promise<string> {
  // Loaded when building only: vitest reads this config too.
  const { NODE_TYPES } = await import('../../nodes/catalog.ts');
  const ajv = new AjvClass({ ...DECLARED_SCHEMA_OPTIONS, code: { source: true, esm: true } });
  const schemas: [string, object][] = [[FLOW_SCHEMA_KEY, flowSchema], ...NODE_TYPES.map((d) => [configSchemaKey(d), d.configSchema] as [string, object])];
  const exports: Record<string, string> = {};
  schemas.forEach(([key, schema], i) => {
    ajv.addSchema(schema, key);
    exports[`v${i}`] = key;
  });
  // ajv's ESM output still `require`s its few runtime helpers (e.g. ucs2length): import them instead.
  const imports: string[] = [];
  const code = generate(ajv, exports).replace(/require\("(ajv\/dist\/runtime\/[\w-]+)"\)/g, (_m, path: string) => {
    const name = `runtime${imports.length}`;
    imports.push(`import ${name} from ${JSON.stringify(path)};`);
    return `{ default: ${name}.default ?? ${name} }`;
  });
  const byKey = Object.entries(exports).map(([name, key]) => `${JSON.stringify(key)}: ${name}`);
  return `${imports.join('\n')}\n${code}\nexport default { ${byKey.join(', ')} };\n`;
}

export function precompiledValidators(): Plugin {
  return {
    name: 'ledgerflow-precompiled-validators',
    apply: 'build',
    enforce: 'pre',
    async resolveId(source, importer, options) {
      if (source === VIRTUAL_ID) return RESOLVED_ID;
      if (!importer || !source.endsWith('schema-validator.ts')) return null;
      const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
      return resolved?.id === SERVER_MODULE ? BROWSER_MODULE : null;
    },
    async load(id) {
      return id === RESOLVED_ID ? await precompiledValidatorsSource() : null;
    },
  };
}
