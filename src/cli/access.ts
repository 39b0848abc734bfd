import { relative } from 'node:path';
import { ReplayVault } from '../adapters/snapshot-vault.js';
import type { Vault } from '../adapters/vault.js';
import { accessVariants, holdersOf, principalAccess } from '../core/access/access-query.js';
import { findPrincipal, principalsOf } from '../core/access/principal-graph.js';
import { didYouMean } from '../core/common/suggest.js';
import { EXIT_OK, UsageError } from '../core/errors.js';
import { readEverything, readSnapshot } from '../core/export/snapshot.js';
import type { Config, DesiredObject, LiveObject } from '../core/model.js';
import { loadDesired } from '../core/plan/engine.js';
import type { Principal } from '../core/principal.js';
import { KINDS } from '../kinds/registry.js';
import { pathJson, pathText, principalJson, principalText, type PolicyFiles } from '../render/access.js';
import { configDirs, loadOptions, type VaultCommandFlags } from './options.js';
import type { Output } from './output.js';
import { openSession } from './session.js';

export interface AccessFlags extends VaultCommandFlags {
  path?: string;
  op?: string;
  principal?: string;
  against?: string;
  live?: boolean;
}

interface Source {
  principals: Principal[];
  /** Policy texts by name. */
  texts: Record<string, string>;
  files: PolicyFiles;
}

function fromConfig(config: Config, desired: readonly DesiredObject[]): Source {
  const files = Object.fromEntries(
    Object.entries(config.policies).map(([name, p]) => {
      const src = p.file ? { file: p.file, line: 1 } : p.at;
      return [name, src ? { file: relative(process.cwd(), src.file), line: src.line } : undefined];
    }),
  );
  return { principals: principalsOf(KINDS, desired), texts: Object.fromEntries(Object.entries(config.policies).map(([name, p]) => [name, p.policy])), files };
}

/** The live objects every kind reads (as a snapshot or export does): principals, and policies at `policies/NAME`. */
async function fromVault(vault: Vault): Promise<Source> {
  const { live } = await readEverything(vault, KINDS);
  const policies = live.filter((o: LiveObject) => o.address === `policies/${o.name}`);
  return { principals: principalsOf(KINDS, live), texts: Object.fromEntries(policies.map((o) => [o.name, String(o.settings.policy ?? '')])), files: {} };
}

async function source(flags: AccessFlags, io: Output): Promise<Source> {
  const given = [flags.config?.length ? '-c' : '', flags.against ? '--against' : '', flags.live ? '--live' : ''].filter(Boolean);
  if (given.length !== 1) throw new UsageError('give one source: -c DIR (the config), --against FILE (a snapshot) or --live (the Vault of VAULT_ADDR)');
  if (flags.against) {
    const snapshot = await readSnapshot(flags.against);
    const vault = new ReplayVault(snapshot.responses, snapshot.vault_addr);
    try {
      return await fromVault(vault);
    } finally {
      vault.close();
    }
  }
  if (flags.live) {
    const session = await openSession(flags, io);
    try {
      return await fromVault(session.vault);
    } finally {
      await session.close();
    }
  }
  const { config, desired } = loadDesired(configDirs(flags), loadOptions(flags), KINDS);
  return fromConfig(config, desired);
}

/** Who holds what on a path, or what one principal holds: from the config, a snapshot or the live Vault. */
export async function accessCommand(flags: AccessFlags, io: Output): Promise<number> {
  if ((flags.path === undefined) === (flags.principal === undefined)) {
    throw new UsageError('give either --path PATH or --principal ADDRESS', 'e.g. access -c config --path secret/data/app --op read');
  }
  if (flags.op !== undefined && flags.path === undefined) throw new UsageError('--op goes with --path');
  if (flags.path?.trim() === '') throw new UsageError('--path is empty');
  const { principals, texts, files } = await source(flags, io);
  const json = flags.output === 'json';

  if (flags.principal !== undefined) {
    const principal = findPrincipal(principals, flags.principal);
    if (!principal) {
      const known = principals.map((p) => p.address);
      throw new UsageError(
        `no principal ${JSON.stringify(flags.principal)}${flags.config?.length ? ' in the config' : ' in Vault'}${didYouMean(flags.principal, known)}`,
        known.length > 0 ? `principals: ${known.slice(0, 10).join(', ')}${known.length > 10 ? ', …' : ''}` : 'there is no role, user, map or group',
      );
    }
    const access = principalAccess(principals, principal, texts);
    io.out(json ? principalJson(access, files) : principalText(access, files));
    return EXIT_OK;
  }
  const path = flags.path!;
  const holders = holdersOf(
    principals.flatMap((p) => accessVariants(principals, p, texts)),
    path,
    flags.op,
  );
  io.out(json ? pathJson(path, flags.op, holders, files) : pathText(path, flags.op, holders, files));
  return EXIT_OK;
}
