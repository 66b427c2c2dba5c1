/**
 * What several routes need about a request: its sample document, and the
 * export form of a flow document. (Checks of a document: runtime/app/flow-checks.ts.)
 */
import type { FlowDocument } from '../../../nodes/flow-document.ts';

export { bytesInput } from '../../preview/preview-job.ts';
import type { ApiContext } from '../app-env.ts';
import { ApiProblem } from '../problem.ts';

const SECRET_KEY = /(secret|password|passwd|token|authorization|api[-_]?key|private[-_]?key|credential)/i;

/**
 * The document as exported: flows reference connections by name, so they
 * carry no secrets by design; as a second line of defence, any text value
 * under a secret-sounding key (password, token, authorization …) is blanked.
 */
export function exportDocument(doc: FlowDocument): FlowDocument {
  const scrub = (value: unknown, key: string | null): unknown => {
    if (typeof value === 'string' && key !== null && SECRET_KEY.test(key)) return '';
    if (Array.isArray(value)) return value.map((v) => scrub(v, null));
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrub(v, k)]));
    return value;
  };
  return { ...doc, nodes: doc.nodes.map((n) => ({ ...n, config: scrub(n.config, null) as Record<string, unknown> })) };
}

/** A sample from a request: text, base64, or (neither) the flow's stored sample of that name. */
export async function sampleBytes(ctx: ApiContext, flowId: string, sample: { name: string; content?: string; contentBase64?: string }): Promise<Uint8Array> {
  if (sample.content !== undefined) return new TextEncoder().encode(sample.content);
  if (sample.contentBase64 !== undefined) {
    if (!/^[A-Za-z0-9+/=_-]*\s*$/.test(sample.contentBase64)) throw new ApiProblem(400, 'contentBase64 is not base64.', { problems: [{ path: '/contentBase64', message: 'not base64' }] });
    return new Uint8Array(Buffer.from(sample.contentBase64, 'base64'));
  }
  const stored = await ctx.repos.samples.getSample(flowId, sample.name);
  if (!stored) throw new ApiProblem(404, `Flow '${flowId}' has no stored sample '${sample.name}'; send its content or contentBase64.`);
  return stored;
}

