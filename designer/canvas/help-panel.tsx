/** The keyboard shortcuts, from the same list the handler uses. */
import { useDesignerStoreApi } from '../store/store-context.tsx';
import { Dialog } from '../shell/dialog.tsx';
import { isMac, POINTER_HINTS, SHORTCUTS } from './shortcuts.ts';

export function HelpPanel() {
  const store = useDesignerStoreApi();
  const mod = isMac() ? '⌘' : 'Ctrl';
  const keyLabel = (k: string) => k.replace('Mod', mod);
  return (
    <Dialog title="Keyboard shortcuts" onClose={() => store.getState().setHelpOpen(false)} width={560}>
      <div className="shortcut-grid">
        {[...SHORTCUTS, ...POINTER_HINTS].map((s) => (
          <div key={s.label} className="shortcut-row">
            <span>{s.label}</span>
            <span className="shortcut-keys">
              {s.keys.map((k, i) => (
                <span key={k}>{i > 0 && <span className="muted"> or </span>}{keyLabel(k).split('+').map((part, j) => <kbd key={j}>{part}</kbd>)}</span>
              ))}
            </span>
          </div>
        ))}
      </div>
    </Dialog>
  );
}
