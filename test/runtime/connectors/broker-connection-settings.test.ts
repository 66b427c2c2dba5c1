/**
 * Broker connections as an environment binds them: kind `amqp` (a URL) and
 * `nats` (servers, user, password or token). Credentials written in clear are
 * refused (they belong in secrets); a node asking a connection of another kind
 * is told which kind it is.
 */
import { describe, expect, it } from 'vitest';
import { FlowError } from '../../../nodes/errors.ts';
import { CONNECTION_KINDS } from '../../../nodes/flow-document.ts';
import { createConnectionResolver } from '../../../runtime/connectors/connection-registry.ts';
import { connectionProblems } from '../../../runtime/connectors/environment-connections.ts';

describe('broker connection settings', () => {
  it('amqp: a URL, its password only as a secret reference', () => {
    expect(connectionProblems('bus', 'amqp', { url: 'amqp://lf:{{secret:pw}}@rabbit:5672/finance' }, ['pw'])).toEqual([]);
    expect(connectionProblems('bus', 'amqp', { url: 'amqp://lf:hunter22@rabbit:5672' }, []).map((p) => p.message)).toEqual([
      'the URL carries a password: put the value in secrets and write {{secret:<name>}} in its place',
    ]);
    expect(connectionProblems('bus', 'amqp', { url: 'http://rabbit' }, [])[0].message).toMatch(/needs a url starting with amqp:\/\//);
  });

  it('nats: servers; password and token only as secret references', () => {
    expect(connectionProblems('bus', 'nats', { servers: 'nats://a:4222,nats://b:4222', user: 'lf', password: '{{secret:pw}}' }, ['pw'])).toEqual([]);
    expect(connectionProblems('bus', 'nats', { servers: 'a:4222', token: 's3cr3t-token' }, []).map((p) => p.path)).toEqual(['/settings/token']);
    expect(connectionProblems('bus', 'nats', {}, [])[0].message).toMatch(/needs servers/);
    expect(connectionProblems('bus', 'kafka', {}, [])[0].message).toBe(`kind must be one of ${CONNECTION_KINDS.join(', ')}, not 'kafka'`);
  });

  it('a node asking for the other protocol is told the connection kind', () => {
    const resolver = createConnectionResolver({ bus: { kind: 'nats', servers: '127.0.0.1:4222' } });
    expect(() => resolver.broker!('bus', 'amqp')).toThrow(FlowError);
    expect(() => resolver.broker!('bus', 'amqp')).toThrow("connection 'bus' is a nats connection, but this node needs an amqp connection");
    expect(() => resolver.sql('bus')).toThrow(/is a nats connection/);
  });
});
