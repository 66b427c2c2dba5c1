/** Short-lived notifications in the corner (errors stay until dismissed). */
import { useEffect } from 'react';
import { useDesigner, useDesignerStoreApi } from '../store/store-context.tsx';

export function Notices() {
  const notices = useDesigner((s) => s.notices);
  const store = useDesignerStoreApi();
  useEffect(() => {
    const timers = notices.filter((n) => n.kind !== 'error').map((n) => setTimeout(() => store.getState().dismiss(n.id), 4000));
    return () => timers.forEach(clearTimeout);
  }, [notices, store]);
  return (
    <div className="notices" aria-live="polite">
      {notices.map((n) => (
        <div key={n.id} className={`notice notice-${n.kind}`} role={n.kind === 'error' ? 'alert' : 'status'}>
          <span>{n.message}</span>
          <button type="button" className="icon-btn" onClick={() => store.getState().dismiss(n.id)} aria-label="Dismiss">✕</button>
        </div>
      ))}
    </div>
  );
}
