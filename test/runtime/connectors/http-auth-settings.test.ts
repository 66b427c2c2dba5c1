/**
 * An HTTP connection's `auth` as an admin sets it per environment: checked
 * field by field, credentials only as `{{secret:…}}` references (refused in
 * clear), and handed to nodes with the secrets substituted and hidden.
 */
import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { bindingProblem, createConnectionResolver } from '../../../runtime/connectors/connection-registry.ts';
import { connectionProblems, resolveConnection, secretContext } from '../../../runtime/connectors/environment-connections.ts';
import { createSecretBox } from '../../../runtime/secrets/secret-box.ts';

const oauth = { type: 'oauth2-client-credentials', tokenUrl: 'https://login.example/oauth/token', clientId: 'lf', clientSecret: '{{secret:client_secret}}', scope: 'orders.read' };

describe('HTTP connection auth settings', () => {
  it('checks each kind of auth for what it needs', () => {
    const problem = (auth: unknown) => bindingProblem('procurement', { kind: 'http', baseUrl: 'https://p.example/api', auth });
    expect(problem(oauth)).toBeNull();
    expect(problem({ type: 'api-key', name: 'X-API-Key', value: 'k', in: 'query' })).toBeNull();
    expect(problem({ type: 'bearer', token: 't' })).toBeNull();
    expect(problem({ type: 'basic', username: 'u', password: 'p' })).toBeNull();
    expect(problem({ type: 'digest' })).toMatch(/auth type must be one of api-key, bearer, basic, oauth2-client-credentials, not 'digest'/);
    expect(problem({ ...oauth, clientSecret: '' })).toBe("connection 'procurement': auth (oauth2-client-credentials) needs clientSecret");
    expect(problem({ ...oauth, tokenUrl: 'file:///etc/passwd' })).toMatch(/auth.tokenUrl must start with http/);
    expect(problem({ type: 'api-key', name: 'X-API-Key', value: 'k', in: 'cookie' })).toMatch(/auth.in must be header or query/);
    expect(problem('Bearer x')).toMatch(/auth must be an object/);
  });

  it('refuses credentials written in clear, and unknown secret references', () => {
    const settings = (auth: unknown) => ({ baseUrl: 'https://p.example/api', auth });
    expect(connectionProblems('procurement', 'http', settings(oauth), ['client_secret'])).toEqual([]);
    expect(connectionProblems('procurement', 'http', settings({ ...oauth, clientSecret: 'plain-secret' }), [])).toEqual([
      { path: '/settings/auth/clientSecret', message: 'auth.clientSecret is a credential: put the value in secrets and write {{secret:<name>}} in its place' },
    ]);
    expect(connectionProblems('procurement', 'http', settings({ type: 'basic', username: 'svc', password: 'pw' }), []).map((p) => p.path)).toEqual(['/settings/auth/password']);
    expect(connectionProblems('procurement', 'http', settings(oauth), [])[0].message).toMatch(/no secret named 'client_secret'/);
  });

  it('hands nodes the auth with its secret decrypted and listed as a value to hide', () => {
    const box = createSecretBox(randomBytes(32));
    const binding = resolveConnection({
      environment: 'prod', name: 'procurement', kind: 'http', settings: { baseUrl: 'https://p.example/api', auth: oauth },
      encryptedSecrets: { client_secret: box.encrypt('s3cr3t-value', secretContext('prod', 'procurement', 'client_secret')) }, updatedBy: 'admin', updatedAt: '',
    }, box);
    const conn = createConnectionResolver({ procurement: binding }).http('procurement');
    expect(conn.auth).toEqual({ ...oauth, clientSecret: 's3cr3t-value' });
    expect(conn.secretValues).toEqual(['s3cr3t-value']);
  });
});
