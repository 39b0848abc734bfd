import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findTerraform } from '../../../bench/terraform.js';

/** An executable that prints what `tofu version` / `terraform version` print (lines of `output`). */
function cliAt(path: string, output: string): string {
  mkdirSync(join(path, '..'), { recursive: true });
  // Shell built-ins only: PATH is the test's own directory.
  writeFileSync(path, `#!/bin/sh\nprintf '%s\\n' '${output}' 'on linux_amd64'\n`);
  chmodSync(path, 0o755);
  return path;
}

describe('findTerraform', () => {
  let dir: string;
  const keys = ['VAULT_GITOPS_TERRAFORM', 'VAULT_GITOPS_TFVP', 'XDG_CACHE_HOME', 'VAULT_GITOPS_CACHE', 'PATH'] as const;
  const saved = Object.fromEntries(keys.map((k) => [k, process.env[k]]));
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vg-tf-'));
    for (const k of keys) delete process.env[k];
    process.env.VAULT_GITOPS_CACHE = join(dir, 'cache');
    process.env.PATH = join(dir, 'path');
    cliAt(join(dir, 'cache/bin/terraform-provider-vault-v5.11.0/terraform-provider-vault_5.11.0'), '');
  });
  afterEach(() => {
    for (const k of keys) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('takes the env first, then the OpenTofu scripts/opentofu.sh built, then tofu, then terraform on PATH', () => {
    const terraform = cliAt(join(dir, 'path/terraform'), 'Terraform v1.11.4');
    expect(findTerraform()).toMatchObject({ cli: terraform, name: 'Terraform v1.11.4', version: '1.11.4', providerVersion: '5.11.0' });
    const tofu = cliAt(join(dir, 'path/tofu'), 'OpenTofu v1.12.5');
    expect(findTerraform()).toMatchObject({ cli: tofu, name: 'OpenTofu v1.12.5' });
    const built = cliAt(join(dir, 'cache/bin/opentofu-v1.12.6/tofu'), '\nWarning: Unable to open CLI configuration file\n\nOpenTofu v1.12.6');
    writeFileSync(join(dir, 'cache/bin/opentofu-v1.12.6/tofu.tmp'), '');
    expect(findTerraform()).toMatchObject({ cli: built, name: 'OpenTofu v1.12.6', version: '1.12.6' });
    process.env.VAULT_GITOPS_TERRAFORM = terraform;
    expect(findTerraform().cli).toBe(terraform);
  });

  it('names what is missing and how to get it', () => {
    rmSync(join(dir, 'cache'), { recursive: true });
    expect(() => findTerraform()).toThrow(/OpenTofu or Terraform: not built, and neither tofu nor terraform is on PATH; run scripts\/opentofu\.sh/);
    expect(() => findTerraform()).toThrow(/terraform-provider-vault: not found; build it yourself from its public source.*VAULT_GITOPS_TFVP/);
    process.env.VAULT_GITOPS_TERRAFORM = join(dir, 'nope');
    expect(() => findTerraform()).toThrow(`${join(dir, 'nope')} does not exist`);
  });
});
