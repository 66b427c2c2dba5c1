/**
 * A planning system's API on a loopback port, for the actuals-to-planning
 * example's tests and `npm run demo:systems`: `POST /cells` takes one planning
 * cell, remembers it by its `Idempotency-Key` (a repeat answers 409 and
 * replaces nothing new) and counts the requests.
 */
import { createServer, type Server } from 'node:http';

export interface PlanningApi {
  server: Server;
  /** The cells received, by idempotency key. */
  cells: Map<string, Record<string, unknown>>;
  requests(): number;
  reset(): void;
}

export function planningApi(): PlanningApi {
  const cells = new Map<string, Record<string, unknown>>();
  let requests = 0;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      requests++;
      const key = String(req.headers['idempotency-key']);
      if (req.method !== 'POST' || req.url !== '/cells') {
        res.writeHead(404).end();
        return;
      }
      const seen = cells.has(key);
      cells.set(key, JSON.parse(body) as Record<string, unknown>);
      res.writeHead(seen ? 409 : 201, { 'content-type': 'application/json' }).end(JSON.stringify({ id: `cell-${cells.size}` }));
    });
  });
  return { server, cells, requests: () => requests, reset: () => { cells.clear(); requests = 0; } };
}
