import type { Kind } from './kind.js';
import { normaliseSettings } from './normalise.js';
import { livePkiMounts, pkiMounts } from './pki.js';
import { compact, desiredObject, listAndRead, liveObject, rule } from './support.js';

/** PKI roles. A role write replaces the whole role, so every write sends every declared field. */
export const pkiRoleKind: Kind = {
  name: 'pki-role',
  title: 'PKI roles',
  phase: 2,
  sensitiveFields: [],
  securityFields: ['allowed_domains', 'allow_any_name', 'allow_subdomains', 'allow_glob_domains', 'allow_ip_sans', 'enforce_hostnames'],
  deletable: true,

  desired(config) {
    return pkiMounts(config).flatMap(([mount, m]) =>
      Object.entries(m.roles ?? {}).map(([name, settings]) =>
        desiredObject(config, 'pki-role', `secrets/${mount}/roles/${name}`, `secrets.${mount}.roles.${name}`, {
          settings,
          mount,
          dependsOn: [`secrets/${mount}`],
        }),
      ),
    );
  },

  async readLive(vault, scope) {
    const perMount = await Promise.all(
      livePkiMounts(scope.config, scope.mounts.secrets).map(async (mount) => {
        const items = await listAndRead(vault, `${mount}/roles`, (n) => `${mount}/roles/${encodeURIComponent(n)}`);
        return items.map((i) => liveObject('pki-role', `secrets/${mount}/roles/${i.name}`, normaliseSettings(i.data), mount));
      }),
    );
    return perMount.flat();
  },

  normalise: normaliseSettings,

  async create(ctx, obj) {
    await ctx.vault.write(`${obj.mount}/roles/${encodeURIComponent(obj.name)}`, compact(obj.settings));
  },

  async update(ctx, obj) {
    await ctx.vault.write(`${obj.mount}/roles/${encodeURIComponent(obj.name)}`, compact(obj.settings));
  },

  async delete(ctx, obj) {
    await ctx.vault.delete(`${obj.mount}/roles/${encodeURIComponent(obj.name)}`);
  },

  access(config) {
    const mounts = pkiMounts(config);
    return {
      plan: mounts.map(([mount]) => rule(`${mount}/roles/*`, 'read', 'list')),
      apply: mounts.flatMap(([mount, m]) => [
        ...Object.keys(m.roles ?? {}).map((name) => rule(`${mount}/roles/${name}`, 'create', 'update')),
        rule(`${mount}/roles/*`, 'delete'),
      ]),
    };
  },
};
