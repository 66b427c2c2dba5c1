/** The named connections a flow uses. Names and kinds only: settings and secrets live per environment. */
import { useState } from 'react';
import { CONNECTION_KINDS, type ConnectionKind } from '../../nodes/flow-document.ts';
import { useEditor } from '../editor-context.tsx';
import { EMPTY_LIST, EMPTY_RECORD, useDesigner, useDesignerStoreApi } from '../store/store-context.tsx';

/** What the kind picker calls each kind (one entry per kind of CONNECTION_KINDS, the one list). */
const KIND_TITLES: Record<ConnectionKind, string> = {
  postgres: 'Postgres',
  mysql: 'MySQL / MariaDB',
  http: 'HTTP API',
  amqp: 'AMQP (RabbitMQ)',
  nats: 'NATS JetStream',
  sftp: 'SFTP server',
  smtp: 'SMTP server (alert e-mails)',
};

export function ConnectionsEditor() {
  const store = useDesignerStoreApi();
  const { readOnly } = useEditor();
  const connections = useDesigner((s) => s.document?.connections ?? EMPTY_RECORD);
  const users = useDesigner((s) => s.document?.nodes ?? EMPTY_LIST);
  const [name, setName] = useState('');
  const [kind, setKind] = useState<ConnectionKind>('postgres');
  const set = (next: Record<string, { kind: ConnectionKind; description?: string }>) =>
    store.getState().change((d) => {
      const out = { ...d, connections: next };
      if (Object.keys(next).length === 0) delete (out as { connections?: unknown }).connections;
      return out;
    });
  const usedBy = (n: string) => users.filter((u) => u.config?.connection === n).length;

  return (
    <details className="form-section" open>
      <summary>Connections</summary>
      <p className="field-help">Nodes name a connection; each environment (dev, test, prod) binds the name to its own database or API and credentials. Secrets are never stored in the flow. An HTTP connection's limits are part of its settings there too: <code>rateLimitPerSecond</code> and <code>maxConcurrent</code> (requests in flight at once) hold per environment across all runs and workers.</p>
      {Object.keys(connections).length === 0 && <p className="muted small">This flow uses no connections.</p>}
      <ul className="connection-list">
        {Object.entries(connections).map(([n, c]) => (
          <li key={n}>
            <span className={`kind-pill kind-${c.kind}`}>{c.kind}</span>
            <code>{n}</code>
            <input className="connection-desc" aria-label={`Description of ${n}`} value={c.description ?? ''} placeholder="What it is" readOnly={readOnly} onChange={(e) => set({ ...connections, [n]: { ...c, description: e.target.value || undefined } })} />
            <span className="muted small">{usedBy(n)} node{usedBy(n) === 1 ? '' : 's'}</span>
            {!readOnly && <button type="button" className="icon-btn danger" aria-label={`Remove ${n}`} onClick={() => { const { [n]: _, ...rest } = connections; set(rest); }}>✕</button>}
          </li>
        ))}
      </ul>
      {!readOnly && (
        <form className="inline-form" onSubmit={(e) => { e.preventDefault(); const v = name.trim(); if (v && !connections[v]) set({ ...connections, [v]: { kind } }); setName(''); }}>
          <input aria-label="New connection name" value={name} onChange={(e) => setName(e.target.value)} placeholder="Connection name" pattern="^[A-Za-z][A-Za-z0-9_-]*$" />
          <select aria-label="Kind of the new connection" value={kind} onChange={(e) => setKind(e.target.value as ConnectionKind)}>
            {CONNECTION_KINDS.map((k) => <option key={k} value={k}>{KIND_TITLES[k]}</option>)}
          </select>
          <button type="submit" className="btn btn-small" disabled={!name.trim()}>Add</button>
        </form>
      )}
    </details>
  );
}
