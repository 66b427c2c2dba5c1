/// <reference types="vite/client" />

/** The flow document's and node types' config validators by key, generated at build time (designer/build/precompile-validators.ts). */
declare module 'virtual:precompiled-validators' {
  const validators: Record<string, import('ajv').ValidateFunction>;
  export default validators;
}
