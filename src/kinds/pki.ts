import type { Config, SecretsMountConfig } from '../core/model.js';

/** The pki mounts the config declares, with their config. */
export function pkiMounts(config: Config): Array<[string, SecretsMountConfig]> {
  return Object.entries(config.secrets).filter(([, m]) => m.type === 'pki');
}

/** The declared pki mounts that exist live (nothing to read inside the others yet). */
export function livePkiMounts(config: Config, live: Record<string, string>): string[] {
  return pkiMounts(config)
    .filter(([path]) => live[path] === 'pki')
    .map(([path]) => path);
}
