/**
 * A screen whose code loads on demand, like `React.lazy`, but which renders
 * at once when its module is already there (preloaded for a deep link).
 * `React.lazy` suspends on its first render even then, and React holds back
 * revealing the suspended screen for its fallback throttle (~300 ms).
 */
import { lazy, type ComponentType, type ReactNode } from 'react';

export interface LazyScreen<P> {
  (props: P): ReactNode;
  /** Starts loading the code; the same promise every time. */
  preload(): Promise<unknown>;
}

/** `load` is a dynamic `import()` of a module whose default export is the screen. */
export function lazyScreen<P extends object>(load: () => Promise<{ default: ComponentType<P> }>): LazyScreen<P> {
  let loaded: ComponentType<P> | null = null;
  let loading: Promise<{ default: ComponentType<P> }> | null = null;
  const preload = () => (loading ??= load().then((m) => {
    loaded = m.default;
    return m;
  }));
  const Lazy = lazy(preload);
  // biome-ignore lint/correctness/noComponentHookFactories: one component per lazily loaded screen, made once at module load
  const Screen = (props: P) => {
    const Loaded = loaded ?? Lazy;
    return <Loaded {...props} />;
  };
  Screen.preload = preload;
  return Screen;
}
