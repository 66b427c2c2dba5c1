/**
 * The number of promotions waiting for approval, for the badge on the Admin
 * navigation and the inbox tab: loaded for admins, refreshed every 30 s and
 * whenever a screen announces a decision (`announcePromotionsChanged`).
 */
import { useEffect, useState } from 'react';
import { useSession } from '../session.tsx';

const CHANGED = 'ledgerflow:promotions-changed';

export function announcePromotionsChanged(): void {
  window.dispatchEvent(new Event(CHANGED));
}

export function usePendingPromotionCount(): number | null {
  const { api, user } = useSession();
  const [count, setCount] = useState<number | null>(null);
  useEffect(() => {
    if (user.role !== 'admin') return;
    let alive = true;
    const load = () => api.promotions('pending').then((r) => { if (alive) setCount(r.items.length); }, () => undefined);
    load();
    const timer = setInterval(load, 30_000);
    window.addEventListener(CHANGED, load);
    return () => { alive = false; clearInterval(timer); window.removeEventListener(CHANGED, load); };
  }, [api, user.role]);
  return count;
}
