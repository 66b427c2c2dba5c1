/**
 * A flow checked against an environment on the server (its connections bound
 * there, its table targets against that environment's live database): for
 * the problems panel (the draft, against the first environment) and the
 * deploy dialog (a version, against each environment the user may look into).
 */
import { useCallback, useEffect, useState } from 'react';
import { errorMessage, type ApiClient } from '../api-client.ts';
import type { Environment, EnvironmentChecks, User } from '../../runtime/api/contract/schemas.ts';

/** Whether `role` may read `env`'s databases (the server's rule: as for starting a run there). */
export const mayInspect = (role: User['role'], env: Pick<Environment, 'position'>) => role !== 'analyst' || env.position === 0;

export interface ChecksState {
  checks: EnvironmentChecks | null;
  error: string | null;
  loading: boolean;
  reload(): void;
}

/** The checks of `flowId` (the draft, or `version`) against `environment`, again whenever `key` changes; nothing when `environment` is null. */
export function useEnvironmentChecks(api: ApiClient, flowId: string, environment: string | null, version: number | undefined, key: unknown): ChecksState {
  const [state, setState] = useState<Omit<ChecksState, 'reload'>>({ checks: null, error: null, loading: environment !== null });
  const [again, setAgain] = useState(0);
  useEffect(() => {
    if (environment === null) return;
    let current = true;
    setState((s) => ({ ...s, loading: true }));
    api.environmentChecks(flowId, environment, version).then(
      (checks) => { if (current) setState({ checks, error: null, loading: false }); },
      (err) => { if (current) setState({ checks: null, error: errorMessage(err), loading: false }); },
    );
    return () => { current = false; };
  }, [api, flowId, environment, version, key, again]);
  const reload = useCallback(() => setAgain((n) => n + 1), []);
  return { ...state, reload };
}
