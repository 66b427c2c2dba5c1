/**
 * A stand-in for the US ERP's REST API in the benchmark and tests: accepts
 * POST /commitments, answers 201 with an id, and answers a repeated
 * Idempotency-Key with the id it gave the first time. Runs as its own
 * process so it does not share the engine's CPU time.
 */
import { createServer } from 'node:http';

export function startErpReceiver(port = 0): Promise<{ port: number; received: () => number; close: () => Promise<void> }> {
  const byKey = new Map<string, string>();
  let received = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      received++;
      const key = String(req.headers['idempotency-key'] ?? '');
      let id = byKey.get(key);
      if (!id) {
        try {
          JSON.parse(body);
        } catch {
          res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"body is not JSON"}');
          return;
        }
        id = `US-C-${String(byKey.size + 1).padStart(8, '0')}`;
        byKey.set(key, id);
      }
      res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ id }));
    });
  });
  server.keepAliveTimeout = 30_000;
  return new Promise((resolve) => {
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      resolve({
        port: typeof address === 'object' && address ? address.port : port,
        received: () => received,
        close: () => new Promise((r) => server.close(() => r())),
      });
    });
  });
}

if (process.argv[1]?.endsWith('erp-receiver.ts')) {
  const r = await startErpReceiver(Number(process.argv[2] ?? 0));
  process.stdout.write(`${JSON.stringify({ port: r.port })}\n`);
}
