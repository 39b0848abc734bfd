// A file a kind's setting names (a CSR to write, a certificate to read): relative to the YAML file
// that names it and confined to that file's config directory, symbolic links resolved, exactly as
// policy `file:`s are (core/common/paths.ts). Check reports a refusal at the setting's file:line:col;
// apply confines again before it touches the file.
import { dirname, join } from 'node:path';
import { confinePath, type Confined, type PathUse } from '../../core/common/paths.js';
import type { Config } from '../../core/model.js';

export function confineConfigFile(config: Config, path: readonly string[], value: string, use: PathUse): Confined & { shown: string } {
  const declaredIn = config.sources.get(path.join('.'))?.file ?? '.';
  const root = config.roots?.get(declaredIn) ?? dirname(declaredIn);
  const shown = join(dirname(declaredIn), value);
  return { ...confinePath({ path: value, from: dirname(declaredIn), root, rootLabel: `the config directory ${root}`, use }), shown };
}
