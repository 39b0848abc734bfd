import type { Config } from '../../../core/model.js';
import { liveMountsOfType } from '../../shared/support.js';

/** The auth method types served by Vault's JWT/OIDC plugin: both take the same config and roles. */
export const JWT_MOUNT_TYPES = ['jwt', 'oidc'] as const;

/** The config's jwt and oidc auth mount paths. */
export function jwtMountPaths(config: Config): string[] {
  return Object.entries(config.auth)
    .filter(([, m]) => (JWT_MOUNT_TYPES as readonly string[]).includes(m.type))
    .map(([path]) => path);
}

/** Declared jwt/oidc mounts that exist live with a JWT/OIDC type (nothing to read in the others). */
export function liveJwtMounts(config: Config, live: Record<string, string>): string[] {
  return JWT_MOUNT_TYPES.flatMap((type) => liveMountsOfType(config.auth, live, type));
}
