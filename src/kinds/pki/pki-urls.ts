import { Type } from 'typebox';
import { exportableFields, exportedSettings } from '../shared/export.js';
import { object, stringList, stringSet } from '../shared/fields.js';
import type { Kind } from '../kind.js';
import { normaliserFor } from '../shared/normalise.js';
import { livePkiMounts, pkiMounts } from './pki.js';
import { compact, liveObject, placedEntries, placedObject, rule } from '../shared/support.js';

const schema = object(
  {
    issuing_certificates: stringSet(),
    crl_distribution_points: stringSet(),
    ocsp_servers: stringSet(),
    delta_crl_distribution_points: stringList(),
    enable_templating: Type.Boolean(),
  },
  { description: '<mount>/config/urls parameters.' },
);
const normalise = normaliserFor(schema);

const exported = exportableFields(schema);

/** `<mount>/config/urls`: always exists once the mount does; create and update are the same write. */
export const pkiUrlsKind: Kind = {
  name: 'pki-urls',
  title: 'PKI URLs',
  phase: 1,
  sensitiveFields: [],
  securityFields: [],
  deletable: false,
  placement: { in: 'secrets', key: ['urls'], mountTypes: ['pki'], shape: 'single', schema, description: 'pki: <mount>/config/urls.' },
  docs: {
    summary: "A pki mount's URLs, written into the certificates it issues: where the CA certificate, the CRL and the OCSP responder are. Part of the mount: it is never deleted.",
    api: ['MOUNT/config/urls'],
    example: `secrets:
  pki:
    type: pki
    urls:
      issuing_certificates: [https://vault.example.com/v1/pki/ca]
      crl_distribution_points: [https://vault.example.com/v1/pki/crl]
`,
    defaults: { enable_templating: false },
  },

  desired(config) {
    return placedEntries(config, pkiUrlsKind).map((e) => placedObject(config, pkiUrlsKind, e, { settings: e.value, dependsOn: [`secrets/${e.mount}`] }));
  },

  async readLive(vault, scope) {
    return Promise.all(
      livePkiMounts(scope.config, scope.mounts.secrets).map(async (mount) => {
        const body = await vault.read(`${mount}/config/urls`);
        return liveObject('pki-urls', `secrets/${mount}/urls`, normalise((body?.data ?? {}) as Record<string, unknown>), mount);
      }),
    );
  },

  normalise,

  export(obj) {
    const urls = exportedSettings(obj.settings, exported, { enable_templating: false });
    return Object.keys(urls).length > 0 ? urls : undefined;
  },

  async create(ctx, obj) {
    await ctx.vault.write(`${obj.mount}/config/urls`, compact(obj.settings));
  },

  async update(ctx, obj) {
    await ctx.vault.write(`${obj.mount}/config/urls`, compact(obj.settings));
  },

  async delete() {
    // A mount's URL config is part of the mount; removing it from the config leaves it alone.
  },

  access(config) {
    const mounts = pkiMounts(config);
    return {
      plan: mounts.map(([mount]) => rule(`${mount}/config/urls`, 'read')),
      apply: placedEntries(config, pkiUrlsKind).map((e) => rule(`${e.mount}/config/urls`, 'create', 'update')),
    };
  },
};
