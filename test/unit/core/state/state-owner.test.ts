// Which config owns a state record: an explicit id, else derived from the git repository and directory.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkOwner } from '../../../../src/core/state/state.js';
import { configOwnerId, normaliseRemote } from '../../../../src/core/state/state-owner.js';
import { UsageError } from '../../../../src/core/errors.js';

describe('normaliseRemote', () => {
  it('gives one id for ssh, https and CI checkouts, with credentials stripped', () => {
    for (const url of [
      'git@github.com:acme/vault-config.git',
      'https://github.com/acme/vault-config',
      'https://x-access-token:ghs_secret123@github.com/acme/vault-config.git',
      'ssh://git@GitHub.com/acme/vault-config.git/',
    ]) {
      expect(normaliseRemote(url)).toBe('github.com/acme/vault-config');
    }
  });
});

describe('configOwnerId', () => {
  it('uses --state-id, then $VAULT_GITOPS_STATE_ID, and checks it', () => {
    expect(configOwnerId(['x'], 'payments-prod', { VAULT_GITOPS_STATE_ID: 'other' })).toBe('payments-prod');
    expect(configOwnerId(['x'], undefined, { VAULT_GITOPS_STATE_ID: 'from-env' })).toBe('from-env');
    expect(() => configOwnerId(['x'], 'bad\nid', {})).toThrow('--state-id "bad\\nid" is not a valid id');
  });

  it('outside git: the absolute directories; inside git: the origin and the path in the repository', () => {
    const root = realpathSync(mkdtempSync(join(tmpdir(), 'owner-')));
    expect(configOwnerId([root], undefined, {})).toBe(root);
    const prod = join(root, 'environments', 'prod');
    mkdirSync(prod, { recursive: true });
    execFileSync('git', ['init', '-q', root]);
    expect(configOwnerId([prod], undefined, {})).toBe(`${root}//environments/prod`);
    execFileSync('git', ['-C', root, 'remote', 'add', 'origin', 'https://user:tok@github.com/acme/cfg.git']);
    expect(configOwnerId([prod], undefined, {})).toBe('github.com/acme/cfg//environments/prod');
    expect(configOwnerId([root, prod], undefined, {})).toBe('github.com/acme/cfg// + github.com/acme/cfg//environments/prod');
  });
});

/** The value the hint of a refused record tells the user to pass to --state-id, read back as a POSIX shell would. */
function hintedStateId(owner: string): string | undefined {
  try {
    checkOwner({ format_version: '2', owner, objects: {} }, 'someone-else', 'vault-gitops/state');
  } catch (err) {
    const hint = (err as UsageError).hint ?? '';
    const m = /--state-id '((?:[^']|'\\'')*)'/.exec(hint);
    return m ? m[1]!.replace(/'\\''/g, "'") : undefined;
  }
  throw new Error('not refused');
}

describe('the hint of a record another config owns can be followed', () => {
  it('every owner id the tool derives (outside git, git without origin, odd directory names, layered) is named by the hint and taken by --state-id', () => {
    const root = realpathSync(mkdtempSync(join(tmpdir(), 'owner-hint-')));
    const odd = join(root, "moved config's dir $HOME `x` (2) ünï");
    mkdirSync(odd, { recursive: true });
    const derived = [configOwnerId([root], undefined, {}), configOwnerId([odd], undefined, {}), configOwnerId([root, odd], undefined, {})];
    const repo = join(root, 'repo');
    mkdirSync(join(repo, 'prod'), { recursive: true });
    execFileSync('git', ['init', '-q', repo]);
    derived.push(configOwnerId([join(repo, 'prod')], undefined, {}));
    expect(derived[0]).toBe(root);
    expect(derived[0]!.startsWith('/')).toBe(true);
    for (const id of derived) {
      const hinted = hintedStateId(id);
      expect(hinted, id).toBe(id);
      expect(configOwnerId(['elsewhere'], hinted, {}), id).toBe(id);
    }
  });

  it('an owner --state-id would refuse (a record edited by hand) is not offered', () => {
    expect(hintedStateId('bad\nid')).toBeUndefined();
    expect(hintedStateId('-rf')).toBeUndefined();
    expect(() => configOwnerId(['x'], '-rf', {})).toThrow('is not a valid id');
  });
});
