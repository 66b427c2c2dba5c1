/**
 * Nodes that reach the outside world (lookup, keyed state) take all of a chunk's records that
 * reach them in one call, so one query serves many records.
 */
import type { Emission, KeyedStateStore, ProcessContext } from '../../nodes/define-node.ts';
import type { Bindings } from '../../nodes/expression/evaluator.ts';
import { FlowError, toFlowError } from '../../nodes/errors.ts';
import type { PreparedProcess } from './prepare-flow.ts';
import type { ChunkIO } from './process-chunk.ts';

/** A batch node's answer for each record, in order; a thrown error fails every record with it. */
export async function processInBatch<R extends { data: unknown; bindings: Bindings }>(
  node: PreparedProcess, records: R[], io: ChunkIO,
  process: (records: R[], ctx: ProcessContext) => Promise<(Emission[] | FlowError)[]> = node.behaviour.processBatch!,
): Promise<(Emission[] | FlowError)[]> {
  const ctx: ProcessContext = {
    connections: io.target.connections, fetch: io.target.fetch, signal: io.target.signal, runId: io.runId,
    state: io.state ?? noStateStore(node.id), ...(io.lookups ? { lookups: io.lookups } : {}),
  };
  try {
    const answers = await process(records, ctx);
    if (answers.length !== records.length) throw new FlowError('permanent', `node '${node.id}' answered ${answers.length} of ${records.length} records`, { nodeId: node.id });
    return answers;
  } catch (err) {
    if (io.target.signal.aborted) throw err;
    const error = toFlowError(err, 'transient', { nodeId: node.id });
    return records.map(() => error);
  }
}

function noStateStore(nodeId: string): KeyedStateStore {
  const refuse = async (): Promise<never> => {
    throw new FlowError('permanent', `node '${nodeId}' uses keyed state, which this run has no store for`, { nodeId });
  };
  return { read: refuse, apply: refuse };
}
