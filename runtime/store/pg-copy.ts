/**
 * `COPY … FROM STDIN` over a `pg` client without pg-copy-streams: a minimal
 * "submittable" that sends the whole payload as one CopyData message once the
 * server asks for it. Batches are bounded (a few MB), so no streaming is needed.
 */
import type { PoolClient } from 'pg';

interface Connection {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
}

class CopyIn {
  callback?: (err: Error | null, rowCount?: number) => void;
  private rowCount = 0;
  private done = false;

  constructor(private readonly text: string, private readonly payload: readonly Buffer[]) {}

  submit(connection: Connection): void {
    connection.query(this.text);
  }

  handleCopyInResponse(connection: Connection): void {
    for (const piece of this.payload) if (piece.length > 0) connection.sendCopyFromChunk(piece);
    connection.endCopyFrom();
  }

  handleCommandComplete(msg: { text?: string }): void {
    const m = /^COPY (\d+)/.exec(msg.text ?? '');
    if (m) this.rowCount = Number(m[1]);
  }

  handleReadyForQuery(): void {
    this.finish(null);
  }

  handleError(err: Error): void {
    this.finish(err);
  }

  // The client calls these for other messages; COPY FROM produces none of them.
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handleCopyData(): void {}
  handlePortalSuspended(): void {}

  private finish(err: Error | null): void {
    if (this.done) return;
    this.done = true;
    this.callback?.(err, this.rowCount);
  }
}

/** Runs `COPY table (columns) FROM STDIN` with `text` (COPY text format, a string or its UTF-8 bytes) on one client. */
export function copyFromText(client: PoolClient, table: string, columns: readonly string[], text: string | Uint8Array | readonly Uint8Array[]): Promise<number> {
  const asBuffer = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  const payload = typeof text === 'string' ? [Buffer.from(text, 'utf8')] : text instanceof Uint8Array ? [asBuffer(text)] : text.map(asBuffer);
  const copy = new CopyIn(`copy ${table} (${columns.join(', ')}) from stdin`, payload);
  return new Promise((resolve, reject) => {
    copy.callback = (err, rowCount) => (err ? reject(err) : resolve(rowCount ?? 0));
    // pg accepts any object with submit(); its typings only know Query.
    (client as unknown as { query(q: unknown): void }).query(copy);
  });
}
