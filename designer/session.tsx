/** The signed-in user and the API client, shared by every screen. */
import { createContext, useContext } from 'react';
import type { ApiClient } from './api-client.ts';
import type { User } from '../runtime/api/contract/schemas.ts';

export interface Session {
  user: User;
  api: ApiClient;
  signOut(): void;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside of a signed-in screen');
  return s;
}
