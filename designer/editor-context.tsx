/**
 * What the flow editor's panels share besides the designer store: the flow's
 * id, the user's rights, its versions and deployments, and the draft's save
 * state. Provided once by the editor page.
 */
import { createContext, useContext } from 'react';
import type { ApiClient } from './api-client.ts';
import type { Deployments, Environment, User, VersionInfo } from '../runtime/api/contract/schemas.ts';

export type SaveStatus = 'saved' | 'saving' | 'unsaved' | 'error' | 'conflict';

export interface EditorContextValue {
  flowId: string;
  api: ApiClient;
  user: User;
  /** Operators read flows; only analysts and admins edit them. */
  readOnly: boolean;
  latestVersion: number | null;
  deployments: Deployments;
  environments: Environment[];
  versions: VersionInfo[] | null;
  /** Reloads versions, deployments and environments. */
  reloadMeta(): Promise<void>;
  saveStatus: SaveStatus;
  saveError: string | null;
  /** Saves the draft now (if changed) and resolves when the server has it. */
  flushDraft(): Promise<void>;
}

export const EditorContext = createContext<EditorContextValue | null>(null);

export function useEditor(): EditorContextValue {
  const v = useContext(EditorContext);
  if (!v) throw new Error('useEditor outside of the flow editor');
  return v;
}
