// Cross-reference checks of the declared identity entities (after schema validation).
import type { Settings } from '../../core/model.js';
import { hasCollapsingSegment } from '../../core/common/names.js';
import type { CheckReporter } from './identity-group-check.js';

interface Entry {
  name: string;
  value: Settings;
  path: string[];
}

const mountPath = (m: string) => m.replace(/^\/+|\/+$/g, '').replace(/^auth\//, '');

export function checkEntities(entries: readonly Entry[], authMounts: ReadonlySet<string>, ctx: CheckReporter): void {
  const holders = new Map<string, string>();
  for (const e of entries) {
    const aliases = e.value.aliases;
    if (!Array.isArray(aliases) || ctx.broken([...e.path, 'aliases'])) continue;
    const mounts = new Map<string, string>();
    aliases.forEach((raw, i) => {
      const a = raw as { name: string; mount: string };
      const at = [...e.path, 'aliases', String(i)];
      const mount = mountPath(a.mount);
      const key = `${mount}\n${a.name}`;
      const other = holders.get(key);
      if (other !== undefined && other !== e.name) {
        ctx.error(at, `alias ${a.name} on auth mount ${mount} is declared on entities ${other} and ${e.name}`, 'a login is one entity: keep the alias on one of them');
      } else if (mounts.has(mount) && mounts.get(mount) !== a.name) {
        ctx.error(at, `entity ${e.name} has two aliases on auth mount ${mount} (${mounts.get(mount)} and ${a.name})`, 'Vault allows one alias per auth mount on an entity');
      }
      holders.set(key, e.name);
      mounts.set(mount, a.name);
      if (hasCollapsingSegment(mount)) ctx.error([...at, 'mount'], 'the auth mount path has an empty, `.` or `..` segment', 'name the auth mount as it is enabled: `userpass`, `oidc/corp`');
      else if (!authMounts.has(mount)) ctx.warn([...at, 'mount'], `auth mount ${a.mount} is not declared under auth`, 'it must be enabled in Vault (plan checks, before anything is written); declare it to manage it');
    });
  }
}
