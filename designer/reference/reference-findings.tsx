/**
 * The flow's reference data problems as the server sees its store (a set never
 * loaded, a key that is not the set's, one-to-many read as one): deploy refuses
 * them, so the problems panel shows them first.
 */
import { useEffect, useState } from 'react';
import type { FlowDocument } from '../../nodes/flow-document.ts';
import { useSession } from '../session.tsx';
import { useDesigner } from '../store/store-context.tsx';

type Finding = { path: string; message: string; nodeId?: string };

/** What of the document decides the answer: its reference declarations and the sets its checks name. */
function referenceInputs(doc: FlowDocument | null | undefined): string {
  if (!doc) return '';
  const checks = (doc.nodes ?? []).map((n) => (n.config as { references?: { set?: string }[] } | undefined)?.references?.map((r) => r.set) ?? []);
  return JSON.stringify([doc.id, doc.referenceData ?? {}, checks]);
}

export function ReferenceFindings() {
  const { api } = useSession();
  const doc = useDesigner((s) => s.document);
  const inputs = referenceInputs(doc);
  const [findings, setFindings] = useState<Finding[]>([]);

  useEffect(() => {
    if (!doc || !inputs) return;
    let current = true;
    const timer = setTimeout(() => {
      api.call('POST /api/reference-data/check', { body: { document: doc as unknown as Record<string, unknown> } })
        .then((r) => { if (current) setFindings(r.problems); }, () => { if (current) setFindings([]); });
    }, 400);
    return () => { current = false; clearTimeout(timer); };
    // Re-checked only when what decides the answer changes, not on every edit.
  }, [api, inputs]);

  if (!findings.length) return null;
  return (
    <div className="problem-group" data-testid="reference-findings">
      <div className="problem-group-title">Reference data (deploy refuses these)</div>
      <ul className="problem-list">
        {findings.map((f) => (
          <li key={f.path + f.message}>
            <div className="problem">
              <span className="problem-code code-reference-data">Reference data</span>
              <span>{f.message} {f.path.startsWith('/referenceData') && <a href="#/reference-data">Reference data page</a>}</span>
            </div>
          </li>
        ))}
      </ul>
    </div>
  );
}
