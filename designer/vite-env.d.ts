/// <reference types="vite/client" />

/** The flow document's and node types' config validators by key, generated at build time (designer/build/precompile-validators.ts). */
declare module 'virtual:precompiled-validators' {
  const validators: Record<string, import('ajv').ValidateFunction>;
  export default validators;
}

/** The URL of a module built as a chunk of the designer's build (runtime/designer-chunk-url.ts). */
declare module '*?chunk-url' {
  const url: string;
  export default url;
}
