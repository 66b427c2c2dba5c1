/// <reference types="vite/client" />

/** The URL of a module built as a chunk of the designer's build (runtime/designer-chunk-url.ts). */
declare module '*?chunk-url' {
  const url: string;
  export default url;
}
