import { X509Certificate } from 'node:crypto';
import type { VaultPort as Vault } from '../core/ports.js';
import { VaultApiError } from '../core/errors.js';
import type { Kind } from './kind.js';
import { normaliseSettings } from './normalise.js';
import { livePkiMounts, pkiMounts } from './pki.js';
import { compact, desiredObject, liveObject, rule } from './support.js';

/** The mount's CA certificate; undefined when it has none (Vault answers 400 "no default issuer"). */
async function readCa(vault: Vault, mount: string) {
  try {
    return await vault.read(`${mount}/cert/ca`);
  } catch (err) {
    if (err instanceof VaultApiError && err.status === 400) return undefined;
    throw err;
  }
}

/**
 * A pki mount's root CA, generated inside Vault (`root/generate/internal`) when the mount has none;
 * the private key never leaves Vault. Its settings are creation parameters: once a CA exists only
 * `common_name` is compared (read from the certificate), and a differing one is reported, never
 * replaced automatically: replacing a root CA is a rotation an operator plans.
 */
export const pkiRootCaKind: Kind = {
  name: 'pki-root-ca',
  title: 'PKI root CAs',
  phase: 1,
  sensitiveFields: [],
  securityFields: ['common_name'],
  deletable: false,

  desired(config) {
    return pkiMounts(config)
      .filter(([, m]) => m.root_ca !== undefined)
      .map(([mount, m]) =>
        desiredObject(config, 'pki-root-ca', `secrets/${mount}/root_ca`, `secrets.${mount}.root_ca`, {
          settings: m.root_ca ?? {},
          mount,
          dependsOn: [`secrets/${mount}`],
        }),
      );
  },

  async readLive(vault, scope) {
    const found = await Promise.all(
      livePkiMounts(scope.config, scope.mounts.secrets)
        .filter((mount) => scope.config.secrets[mount]?.root_ca !== undefined)
        .map(async (mount) => {
          const body = await readCa(vault, mount);
          const pem = (body?.data as { certificate?: string } | undefined)?.certificate;
          if (!pem) return undefined;
          const cert = new X509Certificate(pem);
          const cn = /(?:^|\n)CN=([^\n]*)/.exec(cert.subject)?.[1];
          return { ...liveObject('pki-root-ca', `secrets/${mount}/root_ca`, { common_name: cn ?? null }, mount), identity: cert.serialNumber };
        }),
    );
    return found.filter((x) => x !== undefined);
  },

  /** Only the identity of the CA is comparable after creation. */
  normalise(settings) {
    return normaliseSettings({ common_name: settings.common_name });
  },

  async identify(vault, obj) {
    const pem = ((await readCa(vault, obj.mount ?? ''))?.data as { certificate?: string } | undefined)?.certificate;
    return pem ? new X509Certificate(pem).serialNumber : undefined;
  },

  async create(ctx, obj) {
    await ctx.vault.write(`${obj.mount}/root/generate/internal`, compact(obj.settings));
  },

  async update(_ctx, obj) {
    throw new Error(
      `${obj.address}: the mount already has a root CA with another common_name; vault-gitops does not replace a CA. ` +
        `Rotate it by hand (pki/root/rotate) or change common_name back`,
    );
  },

  async delete() {
    // Never deletes a CA: not deletable.
  },

  access(config) {
    const mounts = pkiMounts(config).filter(([, m]) => m.root_ca !== undefined);
    return {
      plan: mounts.map(([mount]) => rule(`${mount}/cert/ca`, 'read')),
      apply: mounts.map(([mount]) => rule(`${mount}/root/generate/internal`, 'create', 'update')),
    };
  },
};
