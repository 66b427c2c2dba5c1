/** Which version each environment runs, as small badges (prod last). */
import type { Deployments, Environment } from '../../runtime/api/contract/schemas.ts';

export function EnvBadges({ deployments, environments }: { deployments: Deployments; environments?: Environment[] }) {
  const names = environments?.length ? [...environments].sort((a, b) => a.position - b.position).map((e) => e.name) : Object.keys(deployments);
  return (
    <span className="env-badges">
      {names.map((env) => {
        const v = deployments[env];
        return (
          <span key={env} className={`env-badge env-${env} ${v == null ? 'env-none' : ''}`} title={v == null ? `Nothing deployed to ${env}` : `${env} runs version ${v}`}>
            <span className="env-name">{env}</span>
            <span className="env-version">{v == null ? '—' : `v${v}`}</span>
          </span>
        );
      })}
    </span>
  );
}
