/** Runs the draft on the active sample as a dry run and stores the result. */
import { errorMessage, type ApiClient } from '../api-client.ts';
import type { TestRunRequest } from '../../runtime/api/contract/schemas.ts';
import type { DesignerStore } from '../store/designer-store.ts';

/** Output records the server keeps per node for the results panel. */
export const CAPTURE_OUTPUTS = 200;

export async function runTestRun(store: DesignerStore, api: ApiClient, flowId: string): Promise<void> {
  const s = store.getState();
  const sample = s.samples.find((x) => x.id === s.activeSampleId);
  if (!s.document) return;
  if (!sample) {
    s.notify('info', 'Load a sample first: upload a file or pick one stored with the flow.');
    s.openDrawer('samples');
    return;
  }
  const revision = s.revision;
  s.setTestRun({ status: 'running' });
  s.openDrawer('results');
  const request: TestRunRequest = { document: s.document, captureOutputs: CAPTURE_OUTPUTS };
  if (sample.sourceNodeId) request.sourceNodeId = sample.sourceNodeId;
  if (sample.content) request.sample = sample.content;
  else request.records = sample.records;
  try {
    const result = await api.testRun(flowId, request);
    store.getState().setTestRun({ status: 'done', result, revision, at: Date.now() });
  } catch (err) {
    store.getState().setTestRun({ status: 'failed', message: errorMessage(err) });
  }
}
