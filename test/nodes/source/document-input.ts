import type { InputDocument, NodeSetupContext, SourceContext } from '../../../nodes/define-node.ts';
import { chunked } from '../../../nodes/formats/bytes.ts';
import { EMPTY_REFERENCE_DATA } from '../../../nodes/reference-data.ts';

/** A setup context for sources, which use none of the evaluator, reference data or functions. */
export function setupContext(nodeId: string): NodeSetupContext {
  return { nodeId, evaluator: {} as NodeSetupContext['evaluator'], reference: EMPTY_REFERENCE_DATA, functions: {} };
}

/** An input document whose bytes arrive in chunks of `chunkSize`. */
export function inputDocument(name: string, content: string | Uint8Array, chunkSize = 4096): InputDocument {
  return { name, chunks: () => chunked(content, chunkSize) };
}

/** A source context around an optional input document. */
export function sourceContext(input?: InputDocument, signal: AbortSignal = new AbortController().signal): SourceContext {
  return {
    input,
    connections: {
      sql: () => {
        throw new Error('no connections in this test');
      },
      http: () => {
        throw new Error('no connections in this test');
      },
    },
    proposeWatermark: () => {},
    signal,
  };
}
