/**
 * The idempotency scope belongs to the target system (environment, connection,
 * table), not to the node: renaming the target node, or copying it into
 * another flow, writes nothing again — started as the CLI starts runs and as
 * the triggers queue them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlowDocument } from '../../../nodes/flow-document.ts';
import { startVersionRun } from '../../../runtime/app/runs.ts';
import { startQueue } from '../../../runtime/queue/start-queue.ts';
import {
  TEST_TUNING, backendNames, countTarget, jsonlInput, openBackend, queueFlow, records, setUpFlow, waitForRun, type OpenedBackend,
} from './queue-fixtures.ts';

const TABLE = 'ident_rows';

/** The queue test flow with its table node called `id`. */
function flowWithTarget(flowId: string, targetId: string): FlowDocument {
  const doc = queueFlow(flowId, TABLE);
  for (const n of doc.nodes) if (n.id === 'rows') n.id = targetId;
  for (const e of doc.edges) if (e.target === 'rows') e.target = targetId;
  return doc;
}

for (const backend of backendNames()) {
  describe(`target identity on ${backend}`, () => {
    let b: OpenedBackend;
    beforeAll(async () => {
      b = await openBackend(backend);
      await setUpFlow(b.database, flowWithTarget('ident', 'sap-api'), TABLE);
    }, 60_000);
    afterAll(() => b?.cleanup());

    const list = records(5);
    const jsonlBytes = new TextEncoder().encode(`${list.map((r) => JSON.stringify(r)).join('\n')}\n`);
    /** As `ledgerflow run` starts it: the use case, over a queue with a worker in this process. */
    const cliRun = async (doc: FlowDocument, version: number) => {
      const queue = await startQueue({ database: b.database, tuning: TEST_TUNING, onRunFinished: () => {} });
      try {
        const queued = await startVersionRun({ database: b.database, launcher: queue.launcher }, { flowId: doc.id, version, environment: 'dev', actor: 'cli', input: { name: 'events.jsonl', bytes: jsonlBytes } });
        return await waitForRun(b.store, queued.id, 60_000);
      } finally {
        await queue.stop();
      }
    };

    it('a renamed target node, and a copy in another flow, write 0 rows again (CLI path and queue path)', async () => {
      const first = await cliRun(flowWithTarget('ident', 'sap-api'), 1);
      expect(first.counts).toMatchObject({ read: 5, delivered: 5, duplicate: 0 });

      const renamed = flowWithTarget('ident', 'sap-commitments');
      await b.store.saveVersion('ident', renamed, 'tester', 'renamed the target node');
      const second = await cliRun(renamed, 2);
      expect(second.counts).toMatchObject({ read: 5, delivered: 0, duplicate: 5 });

      const copy = flowWithTarget('ident-split', 'commitments');
      await b.store.saveDraft(copy, 'tester');
      await b.store.saveVersion('ident-split', copy, 'tester', 'split off');
      const queue = await startQueue({ database: b.database, tuning: TEST_TUNING, onRunFinished: () => {} });
      try {
        for (const [flowId, version] of [['ident', 2], ['ident-split', 1]] as const) {
          const queued = await queue.launcher.enqueue({ flowId, version, environment: 'dev', trigger: 'manual', input: jsonlInput(list), requestedBy: 'tester' });
          const run = await waitForRun(b.store, queued.id, 60_000);
          expect(run.counts).toMatchObject({ read: 5, delivered: 0, duplicate: 5 });
        }
      } finally {
        await queue.stop();
      }
      expect(await countTarget(b.database, `select count(*) as n from ${TABLE}`)).toBe(5);
      // Only the first run left delivery markers: no later run wrote a row.
      expect(await countTarget(b.database, 'select count(distinct run_id) as n from ledgerflow_delivery')).toBe(1);
    }, 120_000);
  });
}
