/** xmlbuilder2's self-contained bundle (no Node modules: runs in the designer's page and in Node alike). */
declare module 'xmlbuilder2/lib/xmlbuilder2.min.js' {
  export * from 'xmlbuilder2';
}
