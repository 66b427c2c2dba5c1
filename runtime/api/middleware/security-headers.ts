/**
 * Browser protections on every response (API, hooks, designer, docs):
 * a Content-Security-Policy the built designer runs under, no framing,
 * no MIME sniffing, no referrer leaving the site.
 */
import type { MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';

/**
 * The designer's needs, and only those: its own scripts (no inline script,
 * none from elsewhere, no eval: the flow and node-config JSON Schema
 * validators are generated at build time, designer/build/precompile-validators.ts;
 * expressions the compiled JSONata evaluator would turn into code run on the
 * reference implementation there, with the same results); inline styles (React Flow
 * positions nodes and edges with `style` attributes; the API reference page
 * has a `<style>` block); the problems web worker, a file of its own; data:
 * images (the favicon); and calls to its own origin.
 */
export const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:', 'blob:'],
  fontSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  workerSrc: ["'self'", 'blob:'],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

/** Sets the headers above; HSTS is left to the TLS-terminating proxy, which knows the deployment's domains. */
export function securityHeaders(): MiddlewareHandler {
  return secureHeaders({
    contentSecurityPolicy: CONTENT_SECURITY_POLICY,
    xFrameOptions: 'DENY',
    xContentTypeOptions: true,
    referrerPolicy: 'same-origin',
    strictTransportSecurity: false,
    crossOriginEmbedderPolicy: false,
  });
}
