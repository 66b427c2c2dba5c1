import { describe, expect, it } from 'vitest';
import { DEFAULT_ENVIRONMENTS, parseEnvironments } from '../../../runtime/promotion/environments.ts';
import { canApprove, canDeployDirectly, canRequestPromotion, changeAuthors, testsGate } from '../../../runtime/promotion/rules.ts';

const [dev, test, prod] = DEFAULT_ENVIRONMENTS;
const versions = [
  { version: 1, author: 'ann' },
  { version: 2, author: 'bob' },
  { version: 3, author: 'ann' },
  { version: 4, author: 'cid' },
];

describe('direct deployment', () => {
  it.each([
    ['analyst', dev, true], ['admin', dev, true], ['operator', dev, false],
    ['analyst', test, false], ['admin', test, true], ['operator', test, false],
    ['analyst', prod, false], ['admin', prod, false], ['operator', prod, false],
  ] as const)('%s → %s.name: %s', (role, env, ok) => {
    expect(canDeployDirectly(role, env).ok).toBe(ok);
  });

  it('says why: the role needed, or that prod takes only promotions', () => {
    expect(canDeployDirectly('analyst', test)).toMatchObject({ ok: false, status: 403, requiredRole: 'admin' });
    expect(canDeployDirectly('admin', prod)).toMatchObject({ ok: false, status: 409, reason: expect.stringMatching(/approved promotion/) });
  });

  it('rollback: dev by analysts and admins, test by admins, prod by nobody alone (a second admin approves a request)', () => {
    expect(canDeployDirectly('analyst', dev, 'rollback').ok).toBe(true);
    expect(canDeployDirectly('operator', dev, 'rollback')).toMatchObject({ ok: false, status: 403 });
    expect(canDeployDirectly('analyst', test, 'rollback')).toMatchObject({ ok: false, status: 403, requiredRole: 'admin' });
    expect(canDeployDirectly('admin', test, 'rollback').ok).toBe(true);
    expect(canDeployDirectly('admin', prod, 'rollback')).toMatchObject({ ok: false, status: 409, reason: expect.stringMatching(/second admin/) });
  });
});

describe('four-eyes', () => {
  it('authors: every version after the deployed one up to N, and N itself', () => {
    expect(changeAuthors(versions, 4, null)).toEqual(['ann', 'bob', 'cid']);
    expect(changeAuthors(versions, 4, 2)).toEqual(['ann', 'cid']);
    expect(changeAuthors(versions, 3, 3)).toEqual(['ann']);
    expect(changeAuthors(versions, 2, 3)).toEqual(['bob']);
  });

  it('an admin among the authors cannot approve prod; the reason names their versions', () => {
    const d = canApprove({ approver: { username: 'ann', role: 'admin' }, env: prod, version: 4, versions, deployedVersion: null });
    expect(d).toEqual({ ok: false, status: 403, requiredRole: 'admin', reason: 'You saved versions 1, 3; prod promotion needs another admin (four-eyes).' });
    const one = canApprove({ approver: { username: 'ann', role: 'admin' }, env: prod, version: 4, versions, deployedVersion: 2 });
    expect(one.ok === false && one.reason).toBe('You saved version 3; prod promotion needs another admin (four-eyes).');
  });

  it('every hand counts: who edited the draft of a version since the one deployed is an author', () => {
    // dee edited the draft after v3 (so into v4), which cid saved; eve edited after v1 (into v2).
    const drafts = [{ author: 'eve', afterVersion: 1 }, { author: 'dee', afterVersion: 3 }, { author: 'cid', afterVersion: 3 }];
    expect(changeAuthors(versions, 4, 3, drafts)).toEqual(['cid', 'dee']);
    expect(changeAuthors(versions, 4, 1, drafts)).toEqual(['ann', 'bob', 'cid', 'dee', 'eve']);
    expect(changeAuthors(versions, 4, 2, drafts)).toEqual(['ann', 'cid', 'dee']);
    const d = canApprove({ approver: { username: 'dee', role: 'admin' }, env: prod, version: 4, versions, deployedVersion: 3, draftChanges: drafts });
    expect(d).toEqual({ ok: false, status: 403, requiredRole: 'admin', reason: 'You edited the draft of version 4; prod promotion needs another admin (four-eyes).' });
    expect(canApprove({ approver: { username: 'eve', role: 'admin' }, env: prod, version: 4, versions, deployedVersion: 3, draftChanges: drafts }).ok).toBe(true);
  });

  it('the requester cannot approve, even with no change in the version (e.g. a rollback request)', () => {
    const d = canApprove({ approver: { username: 'dee', role: 'admin' }, env: prod, version: 2, versions, deployedVersion: 4, requestedBy: 'dee' });
    expect(d).toMatchObject({ ok: false, status: 403, reason: 'You requested this promotion; prod needs another admin to approve it (four-eyes).' });
    expect(canApprove({ approver: { username: 'eve', role: 'admin' }, env: prod, version: 2, versions, deployedVersion: 4, requestedBy: 'dee' }).ok).toBe(true);
  });

  it('another admin approves; an author whose versions prod already runs approves too', () => {
    expect(canApprove({ approver: { username: 'dee', role: 'admin' }, env: prod, version: 4, versions, deployedVersion: null }).ok).toBe(true);
    expect(canApprove({ approver: { username: 'bob', role: 'admin' }, env: prod, version: 4, versions, deployedVersion: 2 }).ok).toBe(true);
  });

  it('four-eyes applies only where approval is required; the role always applies', () => {
    expect(canApprove({ approver: { username: 'ann', role: 'admin' }, env: test, version: 4, versions, deployedVersion: null }).ok).toBe(true);
    expect(canApprove({ approver: { username: 'dee', role: 'analyst' }, env: prod, version: 4, versions, deployedVersion: null })).toMatchObject({ ok: false, status: 403, requiredRole: 'admin' });
    expect(canApprove({ approver: { username: 'dee', role: 'analyst' }, env: dev, version: 4, versions, deployedVersion: null }).ok).toBe(true);
  });

  it('analysts and admins request promotions; operators do not', () => {
    expect(canRequestPromotion('analyst', prod).ok).toBe(true);
    expect(canRequestPromotion('operator', prod)).toMatchObject({ ok: false, status: 403 });
  });
});

describe('tests gate', () => {
  it('failing mapping tests block every environment after dev', () => {
    expect(testsGate(dev, false, ['t1']).ok).toBe(true);
    expect(testsGate(test, false, ['t1', 't2'])).toMatchObject({ ok: false, status: 422, reason: expect.stringContaining('2 mapping test(s) fail (t1, t2)') });
    expect(testsGate(prod, true, []).ok).toBe(true);
  });
});

describe('environment list', () => {
  it('defaults to dev, test, prod with approval on prod', () => {
    expect(parseEnvironments(undefined)).toEqual(DEFAULT_ENVIRONMENTS);
  });

  it('parses a configured list; the last needs approval unless marked with !', () => {
    expect(parseEnvironments('sandbox, uat, live')).toEqual([
      { name: 'sandbox', position: 0, requiresApproval: false },
      { name: 'uat', position: 1, requiresApproval: false },
      { name: 'live', position: 2, requiresApproval: true },
    ]);
    expect(parseEnvironments('dev,preprod!,prod!').map((e) => e.requiresApproval)).toEqual([false, true, true]);
    expect(() => parseEnvironments('dev,Prod')).toThrow(/not a valid environment name/);
    expect(() => parseEnvironments('dev,dev')).toThrow(/twice/);
  });
});
