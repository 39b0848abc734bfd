// Which config owns a state record: an explicit id, else derived from the git repository and directory.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configOwnerId, normaliseRemote } from '../../../../src/core/state/state-owner.js';

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
