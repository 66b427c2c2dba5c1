/**
 * The settings an admin fills in per connection kind (as the server's
 * PUT /api/connections documents them). Secret values never go in settings:
 * they are referenced as `{{secret:name}}` and set write-only beside them.
 */
import type { ConnectionKind } from '../../runtime/api/contract/enums.ts';

export interface SettingField {
  key: string;
  label: string;
  type: 'text' | 'number' | 'checkbox';
  placeholder?: string;
  help?: string;
}

export const CONNECTION_FIELDS: Record<ConnectionKind, SettingField[]> = {
  postgres: [
    { key: 'embedded', label: 'Embedded database (a database of its own on this server)', type: 'checkbox' },
    { key: 'url', label: 'URL', type: 'text', placeholder: 'postgres://ledger:{{secret:password}}@db.example:5432/erp', help: 'postgres://, mysql:// or mariadb://; put the password in a secret and reference it.' },
  ],
  mysql: [
    { key: 'url', label: 'URL', type: 'text', placeholder: 'mysql://ledger:{{secret:password}}@db.example:3306/erp', help: 'mysql:// or mariadb://; put the password in a secret and reference it.' },
  ],
  http: [
    { key: 'baseUrl', label: 'Base URL', type: 'text', placeholder: 'https://erp.example/api' },
    { key: 'rateLimitPerSecond', label: 'Requests per second (all runs)', type: 'number' },
    { key: 'maxConcurrent', label: 'Requests in flight at once', type: 'number' },
  ],
  amqp: [{ key: 'url', label: 'URL', type: 'text', placeholder: 'amqp://ledgerflow:{{secret:password}}@broker.example:5672' }],
  nats: [
    { key: 'servers', label: 'Servers', type: 'text', placeholder: 'nats://127.0.0.1:4222' },
    { key: 'user', label: 'User', type: 'text' },
    { key: 'password', label: 'Password reference', type: 'text', placeholder: '{{secret:password}}' },
  ],
  sftp: [
    { key: 'host', label: 'Host', type: 'text' },
    { key: 'port', label: 'Port', type: 'number', placeholder: '22' },
    { key: 'username', label: 'Username', type: 'text' },
    { key: 'privateKey', label: 'Private key reference', type: 'text', placeholder: '{{secret:key}}' },
    { key: 'hostKey', label: 'Host key (ssh-ed25519 AAAA… or SHA256:…)', type: 'text' },
  ],
  smtp: [
    { key: 'host', label: 'Host', type: 'text', placeholder: 'smtp.example.com' },
    { key: 'port', label: 'Port', type: 'number', placeholder: '587' },
    { key: 'secure', label: 'TLS from the start (port 465); otherwise STARTTLS when offered', type: 'checkbox' },
    { key: 'username', label: 'Username', type: 'text' },
    { key: 'password', label: 'Password reference', type: 'text', placeholder: '{{secret:password}}' },
    { key: 'from', label: 'From address', type: 'text', placeholder: 'ledgerflow@example.com' },
  ],
};

/** The form's values as settings: empty fields are left out, numbers as numbers; keys the form does not show are kept. */
export function settingsOf(kind: ConnectionKind, values: Record<string, unknown>, kept: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...kept };
  for (const f of CONNECTION_FIELDS[kind]) {
    const v = values[f.key];
    delete out[f.key];
    if (f.type === 'checkbox') { if (v) out[f.key] = true; continue; }
    if (v === undefined || v === '') continue;
    out[f.key] = f.type === 'number' ? Number(v) : v;
  }
  if (kind === 'postgres' && out.embedded) delete out.url;
  return out;
}
