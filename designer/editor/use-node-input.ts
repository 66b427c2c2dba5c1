/**
 * What an expression of a node sees: the records arriving at the node for the
 * selected sample record (computed with the upstream nodes' own code), and
 * the field tree for autocomplete and the mapper (from the first sample
 * records, merged with the schema of the nearest upstream validate node).
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { catalog } from '../../nodes/catalog.ts';
import type { FlowDocument, FlowNode } from '../../nodes/flow-document.ts';
import { recordsArrivingAt } from '../samples/node-input.ts';
import { selectedSampleRecord, type Sample } from '../store/samples-slice.ts';
import { useDesigner } from '../store/store-context.tsx';
import { fieldsFromSchema, inferFieldTree, mergeFieldTrees, type FieldNode } from './field-paths.ts';

export type NodeInputState =
  | { status: 'no-sample' }
  | { status: 'loading' }
  | { status: 'error'; message: string }
  | { status: 'ready'; records: unknown[]; sample: Sample; sourceRecord: unknown; recordIndex: number; notes?: string[] };

const FIELD_RECORDS = 20;

/** The upstream part of the document that decides a node's input (so edits to the node itself do not recompute it). */
function upstreamOf(doc: FlowDocument, nodeId: string | undefined): FlowNode[] {
  if (!nodeId) return [];
  const ids = new Set([nodeId]);
  const stack = [nodeId];
  while (stack.length) {
    const id = stack.pop()!;
    for (const e of doc.edges) if (e.target === id && !ids.has(e.source)) (ids.add(e.source), stack.push(e.source));
  }
  ids.delete(nodeId);
  return doc.nodes.filter((n) => ids.has(n.id));
}

function useStableUpstream(doc: FlowDocument | null, nodeId: string | undefined): { nodes: FlowNode[]; edges: FlowDocument['edges'] } {
  const ref = useRef<{ nodes: FlowNode[]; edges: FlowDocument['edges'] }>({ nodes: [], edges: [] });
  const nodes = doc ? upstreamOf(doc, nodeId) : [];
  const prev = ref.current;
  const same = prev.nodes.length === nodes.length && prev.nodes.every((n, i) => n === nodes[i]) && prev.edges === (doc?.edges ?? prev.edges);
  if (!same) ref.current = { nodes, edges: doc?.edges ?? [] };
  return ref.current;
}

export function useNodeInput(nodeId: string | undefined): { input: NodeInputState; fields: FieldNode[] } {
  const doc = useDesigner((s) => s.document);
  const sample = useDesigner((s) => s.samples.find((x) => x.id === s.activeSampleId));
  const recordIndex = useDesigner((s) => s.selectedRecordIndex);
  const selected = sample && sample.records.length > 0 ? selectedSampleRecord({ samples: [sample], activeSampleId: sample.id, selectedRecordIndex: recordIndex }) : null;
  const upstream = useStableUpstream(doc, nodeId);
  const [input, setInput] = useState<NodeInputState>({ status: 'no-sample' });
  const [inferred, setInferred] = useState<FieldNode[]>([]);
  const docRef = useRef(doc);
  docRef.current = doc;

  useEffect(() => {
    if (!selected) {
      setInput({ status: 'no-sample' });
      return;
    }
    const d = docRef.current;
    if (!nodeId || !d) {
      setInput({ status: 'ready', records: [selected.record], sample: selected.sample, sourceRecord: selected.record, recordIndex: selected.index });
      return;
    }
    let live = true;
    recordsArrivingAt(d, nodeId, selected.record, catalog, selected.sample.sourceNodeId).then((r) => {
      if (!live) return;
      setInput(r.ok ? { status: 'ready', records: r.records, sample: selected.sample, sourceRecord: selected.record, recordIndex: selected.index, notes: r.notes } : { status: 'error', message: r.message });
    });
    return () => {
      live = false;
    };
  }, [selected?.record, selected?.sample, upstream, nodeId]);

  useEffect(() => {
    if (!sample) {
      setInferred([]);
      return;
    }
    const d = docRef.current;
    const records = sample.records.slice(0, FIELD_RECORDS);
    if (!nodeId || !d) {
      setInferred(inferFieldTree(records));
      return;
    }
    let live = true;
    (async () => {
      const arriving: unknown[] = [];
      for (const r of records) {
        const res = await recordsArrivingAt(d, nodeId, r, catalog, sample.sourceNodeId);
        if (res.ok) arriving.push(...res.records);
      }
      if (live) setInferred(inferFieldTree(arriving));
    })();
    return () => {
      live = false;
    };
  }, [sample, upstream, nodeId]);

  const schemaFields = useMemo(() => {
    // The nearest upstream validate node's JSON Schema declares this input's shape.
    const validate = [...upstream.nodes].reverse().find((n) => n.type === 'validate.record' && n.config?.schema);
    return validate ? fieldsFromSchema(validate.config.schema as Record<string, unknown>) : [];
  }, [upstream]);

  const fields = useMemo(() => mergeFieldTrees(inferred, schemaFields), [inferred, schemaFields]);
  return { input, fields };
}
