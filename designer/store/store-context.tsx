/** Provides one designer store per open flow and hooks to read it with selectors. */
import { createContext, useContext, useState, type ReactNode } from 'react';
import { useStore } from 'zustand';
import { useShallow } from 'zustand/react/shallow';
import { createDesignerStore, type DesignerState, type DesignerStore } from './designer-store.ts';

const StoreContext = createContext<DesignerStore | null>(null);

export function DesignerStoreProvider({ children, store }: { children: ReactNode; store?: DesignerStore }) {
  const [own] = useState(() => store ?? createDesignerStore());
  return <StoreContext.Provider value={own}>{children}</StoreContext.Provider>;
}

/** The store itself, for actions and `getState()` in event handlers. */
export function useDesignerStoreApi(): DesignerStore {
  const store = useContext(StoreContext);
  if (!store) throw new Error('useDesigner must be used inside <DesignerStoreProvider>');
  return store;
}

/** Subscribes to a slice of state; re-renders only when the selected value changes. */
export function useDesigner<T>(selector: (s: DesignerState) => T): T {
  return useStore(useDesignerStoreApi(), selector);
}

/** Like `useDesigner`, for selectors that build a new array or object: compared item by item. */
export function useDesignerShallow<T>(selector: (s: DesignerState) => T): T {
  return useStore(useDesignerStoreApi(), useShallow(selector));
}

/** Shared empty values, so selectors that fall back to "nothing" return the same reference each time. */
export const EMPTY_LIST: readonly never[] = Object.freeze([]);
export const EMPTY_RECORD: Readonly<Record<string, never>> = Object.freeze({});
