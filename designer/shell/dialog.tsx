/**
 * A modal dialog: title, body, footer actions; Escape and the backdrop close it. Escape closes only the
 * innermost popup: a confirmation over a dialog takes it alone, and so does a popup inside the dialog that
 * handles Escape itself (the JSONata editor's autocomplete or lint tooltip, a select's list), which marks
 * the key as handled (defaultPrevented).
 */
import { useEffect, useRef, type ReactNode } from 'react';

/** Open dialogs, innermost last: a confirmation opened over a dialog takes Escape alone. */
const openDialogs: symbol[] = [];

export function Dialog({ title, children, footer, onClose, width = 480 }: { title: string; children: ReactNode; footer?: ReactNode; onClose: () => void; width?: number }) {
  const close = useRef(onClose);
  close.current = onClose;
  useEffect(() => {
    const me = Symbol(title);
    openDialogs.push(me);
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !e.defaultPrevented && openDialogs[openDialogs.length - 1] === me) close.current();
    };
    window.addEventListener('keydown', onKey);
    return () => {
      window.removeEventListener('keydown', onKey);
      openDialogs.splice(openDialogs.indexOf(me), 1);
    };
  }, []);
  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: pointer-only backdrop; Escape closes the dialog from the keyboard
    <div className="dialog-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div className="dialog" role="dialog" aria-modal="true" aria-label={title} style={{ width }}>
        <div className="dialog-header">
          <h2>{title}</h2>
          <button type="button" className="icon-btn" onClick={onClose} aria-label="Close">✕</button>
        </div>
        <div className="dialog-body">{children}</div>
        {footer && <div className="dialog-footer">{footer}</div>}
      </div>
    </div>
  );
}
