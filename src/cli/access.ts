import { relative } from 'node:path';
import { accessVariants, holdersOf, principalAccess } from '../core/access/access-query.js';
import { principalsOf } from '../core/access/principal-graph.js';
import { didYouMean } from '../core/common/suggest.js';
import { EXIT_OK, UsageError } from '../core/errors.js';
import { loadDesired } from '../core/plan/engine.js';
import { KINDS } from '../kinds/registry.js';
import { pathJson, pathText, principalJson, principalText } from '../render/access.js';
import { configDirs, loadOptions, type CommonFlags } from './options.js';
import type { Output } from './output.js';

export interface AccessFlags extends CommonFlags {
  path?: string;
  op?: string;
  principal?: string;
  output?: string;
}

/** Offline: who holds what on a path, or what one principal holds, from the config alone. */
export function accessCommand(flags: AccessFlags, io: Output): number {
  if ((flags.path === undefined) === (flags.principal === undefined)) {
    throw new UsageError('give either --path PATH or --principal ADDRESS', 'e.g. access -c config --path secret/data/app --op read');
  }
  if (flags.op !== undefined && flags.path === undefined) throw new UsageError('--op goes with --path');
  const { config, desired } = loadDesired(configDirs(flags), loadOptions(flags), KINDS);
  const graph = principalsOf(KINDS, desired);
  const texts = Object.fromEntries(Object.entries(config.policies).map(([name, p]) => [name, p.policy]));
  const files = Object.fromEntries(
    Object.entries(config.policies).map(([name, p]) => {
      const src = p.file ? { file: p.file, line: 1 } : p.at;
      return [name, src ? { file: relative(process.cwd(), src.file), line: src.line } : undefined];
    }),
  );
  const json = flags.output === 'json';

  if (flags.principal !== undefined) {
    const principal = graph.find((p) => p.address === flags.principal);
    if (!principal) {
      const known = graph.map((p) => p.address);
      throw new UsageError(
        `no principal ${JSON.stringify(flags.principal)} in the config${didYouMean(flags.principal, known)}`,
        known.length > 0 ? `principals: ${known.slice(0, 10).join(', ')}${known.length > 10 ? ', …' : ''}` : 'the config declares no role, user, map or group',
      );
    }
    const access = principalAccess(graph, principal, texts);
    io.out(json ? principalJson(access, files) : principalText(access, files));
    return EXIT_OK;
  }
  const path = flags.path!;
  if (path.trim() === '') throw new UsageError('--path is empty');
  const holders = holdersOf(
    graph.flatMap((p) => accessVariants(graph, p, texts)),
    path,
    flags.op,
  );
  io.out(json ? pathJson(path, flags.op, holders, files) : pathText(path, flags.op, holders, files));
  return EXIT_OK;
}
