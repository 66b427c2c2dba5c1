/**
 * The canvas node: category stripe and glyph, title and type, a one-line
 * summary of the config, labelled ports, test-run counts and problems.
 * Each card subscribes to its own problems and counts only.
 */
import { memo, useMemo } from 'react';
import { Handle, Position, type NodeProps } from '@xyflow/react';
import { catalog } from '../../nodes/catalog.ts';
import type { NodeCategory } from '../../nodes/define-node.ts';
import { useDesigner } from '../store/store-context.tsx';
import { nodeStatsOf } from '../store/test-run-slice.ts';
import { CATEGORY_LOOK } from './categories.ts';
import { portsOf } from './connection-rules.ts';
import { nodeSummary } from './node-summary.ts';
import type { DesignerNode } from './rf-mapping.ts';

const NO_PROBLEMS: never[] = [];

function FlowNodeCardImpl({ id, type, data, selected }: NodeProps<DesignerNode>) {
  const decl = catalog.get(type);
  const category: NodeCategory | undefined = decl?.category;
  const look = category ? CATEGORY_LOOK[category] : undefined;
  const problems = useDesigner((s) => s.problemsByNode.get(id) ?? NO_PROBLEMS);
  const stats = useDesigner((s) => nodeStatsOf(s, id));
  const node = { id, type, typeVersion: data.typeVersion, position: { x: 0, y: 0 }, config: data.config };
  const ports = useMemo(() => portsOf(node, catalog), [type, data.config, data.typeVersion]);
  const summary = useMemo(() => nodeSummary(decl, node), [decl, data.config, data.typeVersion]);

  const rows = Math.max(ports.inputs.length, ports.outputs.length);
  const classes = ['flow-node', selected ? 'selected' : '', problems.length ? 'has-problems' : '', decl ? '' : 'unknown-type'].join(' ');
  return (
    <div className={classes} style={{ '--cat': look?.color ?? '#94a3b8' } as React.CSSProperties} data-testid={`node-${id}`}>
      <div className="flow-node-head">
        <span className="flow-node-glyph" aria-hidden="true">{look?.glyph ?? '?'}</span>
        <div className="flow-node-titles">
          <div className="flow-node-title">{data.label || decl?.title || type}</div>
          <div className="flow-node-type">{decl ? `${decl.title} · ${look?.label}` : `Unknown type ${type}`}</div>
        </div>
        {problems.length > 0 && (
          <span className="flow-node-problems" title={problems.map((p) => p.message).join('\n')}>{problems.length}</span>
        )}
      </div>
      {summary && <div className="flow-node-summary" title={summary}>{summary}</div>}
      {rows > 0 && (
        <div className="flow-node-ports">
          <div className="ports-in">
            {ports.inputs.map((p) => (
              <div key={p.id} className="port port-in">
                <Handle type="target" position={Position.Left} id={p.id} className="handle" />
                <span>{p.title}</span>
              </div>
            ))}
          </div>
          <div className="ports-out">
            {ports.outputs.map((p) => (
              <div key={p.id} className={`port port-out port-${p.id}`}>
                <span>{p.title}</span>
                <Handle type="source" position={Position.Right} id={p.id} className="handle" />
              </div>
            ))}
          </div>
        </div>
      )}
      {stats && (
        <div className="flow-node-stats" role="group" aria-label="Test run counts">
          <span title="Records in">in {stats.in}</span>
          <span title="Records out">out {stats.out}</span>
          {stats.invalid > 0 && <span className="stat-invalid" title="Invalid records">invalid {stats.invalid}</span>}
          {stats.errors > 0 && <span className="stat-error" title="Records that failed with an error">errors {stats.errors}</span>}
        </div>
      )}
    </div>
  );
}

/**
 * What the card shows depends on these props only; React Flow also passes position and measured
 * size, which change on every drag frame and after the first measurement.
 */
const sameCard = (a: NodeProps<DesignerNode>, b: NodeProps<DesignerNode>) => a.id === b.id && a.type === b.type && a.data === b.data && a.selected === b.selected;

export const FlowNodeCard = memo(FlowNodeCardImpl, sameCard);

/** Every catalog type renders with the card; unknown types too (React Flow's fallback key). */
export const NODE_TYPES_FOR_RF = Object.fromEntries([...catalog.all().map((d) => [d.type, FlowNodeCard]), ['default', FlowNodeCard]]);
