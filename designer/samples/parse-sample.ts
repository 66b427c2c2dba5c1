/**
 * Parses an uploaded sample in the browser with the flow's own source node
 * (the same code the runtime's file and webhook sources run), so the records
 * listed are the records a run would read. Sources that cannot read a file
 * (a database query) fall back to the generic document parser.
 */
import type { AnyNodeDeclaration, ConnectionResolver, SourceBehaviour } from '../../nodes/define-node.ts';
import type { FlowNode } from '../../nodes/flow-document.ts';
import type { NodeCatalog } from '../../nodes/node-catalog.ts';
import { resolveNodeConfig } from '../../nodes/node-config.ts';
import { parseDocument } from '../../nodes/formats/index.ts';
import { evaluator, functions, referenceData } from '../expression-runtime.ts';

/** Records kept for picking; the total counts on. */
export const SAMPLE_RECORD_LIMIT = 1000;

export interface ParsedSample {
  records: unknown[];
  total: number;
  /** Which parser read it, for the UI ("File source 'read'", "auto-detected"). */
  parsedBy: string;
}

const NO_CONNECTIONS: ConnectionResolver = {
  sql: () => { throw new Error('a sample cannot be read from a database'); },
  http: () => { throw new Error('a sample cannot be read over HTTP'); },
};

/** Async byte chunks of a Blob/File (browser) or of bytes. */
export async function* blobChunks(blob: Blob | Uint8Array): AsyncIterable<Uint8Array> {
  if (blob instanceof Uint8Array) {
    yield blob;
    return;
  }
  const reader = blob.stream().getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

function sourceReader(decl: AnyNodeDeclaration | undefined, node: FlowNode | undefined): SourceBehaviour | null {
  if (!decl || !node || decl.category !== 'source') return null;
  const resolved = resolveNodeConfig(decl, node);
  if (!resolved.ok) return null;
  return decl.create(resolved.config, { nodeId: node.id, evaluator, reference: referenceData, functions }) as SourceBehaviour;
}

/** Reads a sample document into records, with the source node's config when it reads documents. */
export async function parseSample(name: string, content: Blob | Uint8Array, sourceNode: FlowNode | undefined, catalog: NodeCatalog, limit = SAMPLE_RECORD_LIMIT): Promise<ParsedSample> {
  const decl = sourceNode ? catalog.get(sourceNode.type) : undefined;
  // Only sources that read the trigger's document can parse an upload (file, webhook).
  const reads = decl && decl.category === 'source' && !/postgres/.test(decl.type);
  const behaviour = reads ? sourceReader(decl, sourceNode) : null;
  const controller = new AbortController();
  const stream: AsyncIterable<unknown> = behaviour
    ? behaviour.read({ input: { name, chunks: () => blobChunks(content) }, connections: NO_CONNECTIONS, proposeWatermark: () => {}, signal: controller.signal })
    : parseDocument(blobChunks(content), name);
  const records: unknown[] = [];
  let total = 0;
  for await (const record of stream) {
    if (records.length < limit) records.push(record);
    total++;
  }
  return { records, total, parsedBy: behaviour && decl ? `${decl.title} source “${sourceNode!.label ?? sourceNode!.id}”` : 'format detected from the file' };
}

/** Bytes of a base64 string (a binary sample kept for test runs; sample-file.ts encodes). */
export function fromBase64(text: string): Uint8Array {
  const s = atob(text);
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
  return bytes;
}
