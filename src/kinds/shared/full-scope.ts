import type { Config } from '../../core/model.js';

/**
 * A full-scope read (export, snapshot) gets a config core builds from the live mounts, not one
 * loaded from files: it has no source positions. Root kinds then read everything they can see.
 */
export function isFullScope(config: Pick<Config, 'sources'>): boolean {
  return config.sources.size === 0;
}
