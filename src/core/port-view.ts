import type { VaultPort } from './ports.js';

/** `vault` with some of its methods replaced; everything else goes to `vault` itself. */
export function portWith(vault: VaultPort, replaced: Partial<Pick<VaultPort, 'read' | 'list'>>): VaultPort {
  return new Proxy(vault, {
    get(target, prop) {
      if (prop === 'read' && replaced.read) return replaced.read;
      if (prop === 'list' && replaced.list) return replaced.list;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
