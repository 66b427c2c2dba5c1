/** The Ledgerflow mark and name. */
export function Brand({ compact = false }: { compact?: boolean }) {
  return (
    <span className="brand">
      <svg width="22" height="22" viewBox="0 0 32 32" aria-hidden="true">
        <rect width="32" height="32" rx="8" fill="var(--accent)" />
        <path d="M9 22V10h3v9.5h7V22z" fill="white" />
        <path d="M19 10h5v3h-5z" fill="#a5b4fc" />
      </svg>
      {!compact && <span className="brand-name">Ledgerflow</span>}
    </span>
  );
}
