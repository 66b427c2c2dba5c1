import { describe, expect, it } from 'vitest';
import { approvalBlocker, deployOption } from '../../../designer/versions/deploy-rules.ts';
import type { Environment, Promotion } from '../../../runtime/api/contract/schemas.ts';

const envs: Environment[] = [
  { name: 'dev', position: 1, requiresApproval: false },
  { name: 'test', position: 2, requiresApproval: false },
  { name: 'prod', position: 3, requiresApproval: true },
];
const [dev, test, prod] = envs;

describe('deployOption', () => {
  it('lets analysts deploy to dev only and request promotions elsewhere', () => {
    expect(deployOption('analyst', dev, envs, 3, 2, [])).toEqual({ kind: 'deploy', label: 'Deploy v3' });
    expect(deployOption('analyst', test, envs, 3, 2, []).kind).toBe('request');
    expect(deployOption('analyst', prod, envs, 3, 2, []).kind).toBe('request');
  });
  it('lets admins deploy to test but not straight to prod', () => {
    expect(deployOption('admin', test, envs, 3, null, []).kind).toBe('deploy');
    const p = deployOption('admin', prod, envs, 3, null, []);
    expect(p.kind === 'request' && p.why).toBe(
      'prod needs the approval of an admin who neither requested the promotion nor changed the flow since the version prod runs (saved a version or edited the draft): four-eyes rule.',
    );
  });
  it('names rollbacks and shows pending promotions', () => {
    expect(deployOption('admin', dev, envs, 1, 3, [])).toEqual({ kind: 'deploy', label: 'Roll back to v1' });
    const promotion: Promotion = { id: 'p1', flowId: 'f', version: 3, environment: 'prod', status: 'pending', requestedBy: 'ann', requestedAt: '', authors: ['ann'], decidedBy: null, decidedAt: null, reason: null, canApprove: false };
    expect(deployOption('analyst', prod, envs, 3, 2, [promotion]).kind).toBe('pending');
    expect(deployOption('operator', dev, envs, 3, 2, []).kind).toBe('none');
  });
});

describe('approvalBlocker', () => {
  const promotion: Promotion = { id: 'p1', flowId: 'f', version: 3, environment: 'prod', status: 'pending', requestedBy: 'ann', requestedAt: '', authors: ['ann', 'bob'], decidedBy: null, decidedAt: null, reason: null, canApprove: false };
  it('shows the server reason an admin cannot approve their own change', () => {
    expect(approvalBlocker('admin', { ...promotion, canApprove: false, cannotApproveReason: 'You authored changes in v3' })).toBe('You authored changes in v3');
    expect(approvalBlocker('admin', { ...promotion, canApprove: true })).toBeNull();
    expect(approvalBlocker('analyst', promotion)).toMatch(/admin/);
  });
});
