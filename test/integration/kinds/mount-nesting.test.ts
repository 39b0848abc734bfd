// Vault refuses a mount inside (or around) another. Declared both ways, that is a config error; a new
// mount inside a live one the config does not declare fails the plan (exit 1) before anything is
// written, including when this plan deletes the live one (deletes run after creates: it would fail
// every run). Removing the outer mount on its own first, then adding the inner one, converges.
import { describe, expect, it } from 'vitest';
import { cli, configDir, uniq } from '../helpers/cli.js';
import { vaultRequest } from '../helpers/vault-http.js';

const id = uniq('nest');
const statePath = `vault-gitops/nest-${id}`;
const NO_TRACE = /internal error|\n\s+at .+:\d+:\d+/;
const kv = (...paths: string[]) => `secrets:\n${paths.map((p) => `  ${p}:\n    type: kv\n    options: { version: 2 }\n`).join('')}`;
const run = (args: string[], dir: string) => cli([...args, '-c', dir, '--state-path', statePath]);
const mounted = async (path: string) => (await vaultRequest('GET', 'sys/mounts')).json.data[`${path}/`] !== undefined;

describe('mounts inside mounts', () => {
  it('two declared mounts, one inside the other: an error at the inner one, nothing read or written', async () => {
    const dir = await configDir({ 'c.yaml': kv(`t-${id}`, `t-${id}/app`) });
    const r = await run(['plan'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${dir}/c.yaml:5:3: error: secrets.t-${id}/app: secrets/t-${id}/app is inside secrets/t-${id}, and Vault refuses a mount inside another`);
    expect(r.stderr).not.toMatch(NO_TRACE);
  });

  it('a new mount inside a live one made by hand, or around one: the plan fails at its key; nothing written', async () => {
    expect((await vaultRequest('POST', `sys/mounts/hand-${id}`, { type: 'kv' })).status).toBe(204);
    expect((await vaultRequest('POST', `sys/mounts/around-${id}/inner`, { type: 'kv' })).status).toBe(204);
    const dir = await configDir({ 'c.yaml': kv(`hand-${id}/app`, `around-${id}`) });
    const r = await run(['apply', '--auto-approve'], dir);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stderr).toContain(`${dir}/c.yaml:2:3: error: secrets.hand-${id}/app: secrets/hand-${id}/app cannot be mounted: hand-${id}/ is a live mount around it`);
    expect(r.stderr).toContain(`${dir}/c.yaml:5:3: error: secrets.around-${id}: secrets/around-${id} cannot be mounted: around-${id}/inner/ is a live mount inside it`);
    expect(r.stderr).not.toMatch(NO_TRACE);
    expect(await mounted(`hand-${id}/app`)).toBe(false);
    expect(await mounted(`around-${id}`)).toBe(false);
  });

  it('removing a mount and adding one inside its path in one run is refused; in two applies it converges', async () => {
    const outer = await configDir({ 'c.yaml': kv(`x-${id}`, `z-${id}`) });
    const first = await run(['apply', '--auto-approve'], outer);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    const both = await configDir({ 'c.yaml': kv(`x-${id}/y`, `z-${id}`) });
    const refused = await run(['apply', '--auto-approve', '--allow-destroy'], both);
    expect(refused.code, refused.stdout + refused.stderr).toBe(1);
    expect(refused.stderr).toContain(`if this plan removes secrets/x-${id}, apply that on its own first, then add secrets/x-${id}/y`);
    expect(await mounted(`x-${id}`)).toBe(true);

    const none = await configDir({ 'c.yaml': kv(`z-${id}`) });
    const removed = await run(['apply', '--auto-approve', '--allow-destroy'], none);
    expect(removed.code, removed.stdout + removed.stderr).toBe(0);
    expect(await mounted(`x-${id}`)).toBe(false);
    const added = await run(['apply', '--auto-approve'], both);
    expect(added.code, added.stdout + added.stderr).toBe(0);
    expect(await mounted(`x-${id}/y`)).toBe(true);
    expect((await run(['plan', '--detailed-exitcode'], both)).code).toBe(0);
  });
});
