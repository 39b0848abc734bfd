// The preflight: what a change needs (Kind.references) must be declared or live, and not deleted by
// the same plan; otherwise a plan error at the place the config names it.
import { describe, expect, it } from 'vitest';
import type { LiveObject } from '../../../../src/core/model.js';
import { planChanges } from '../../../../src/core/plan/plan.js';
import { allReferences, dependOnReferences, preflight } from '../../../../src/core/plan/preflight.js';
import { Targets } from '../../../../src/core/plan/targets.js';
import { KINDS } from '../../../../src/kinds/registry.js';
import { loadFiles } from '../load-files.js';

const yaml = [
  'auth:',
  '  github:',
  '    type: github',
  'identity:',
  '  groups:',
  '    ops: {}',
  '    team:',
  '      member_groups: [ops, ghost]',
  '    gh:',
  '      type: external',
  '      alias: { name: acme/devs, mount: auth/gh-old/ }',
  '',
].join('\n');

function setup(live: LiveObject[] = [], prune: string[] = [], planned: (address: string) => boolean = () => true) {
  const r = loadFiles({ 'c.yaml': yaml });
  expect(r.errors).toEqual([]);
  const config = r.value!;
  config.prune = prune;
  const desired = KINDS.flatMap((k) => k.desired(config));
  const refs = allReferences(KINDS, config);
  dependOnReferences(desired, refs);
  const plan = planChanges({ desired: desired.filter((d) => planned(d.address)), live, credentials: {}, sinkLabels: {}, prune, kinds: KINDS, toolVersion: 't', createdAt: 'now' });
  const run = (read?: (k: string) => boolean) => preflight({ kinds: KINDS, config, declared: new Set(desired.map((d) => d.address)), live, plan, read });
  return { r, desired, refs, run };
}

const liveGroup = (name: string, settings = {}): LiveObject => ({ kind: 'identity-group', address: `identity/groups/${name}`, collection: 'identity/groups', name, settings: { type: 'internal', ...settings } });
const liveMount = (path: string): LiveObject => ({ kind: 'auth-mount', address: `auth/${path}`, collection: 'auth', name: path, mount: path, settings: { type: 'github' } });

describe('references a kind declares', () => {
  it('identity groups name their member groups and their alias mount, at the place the config names them', () => {
    const { refs } = setup();
    expect(refs.map((x) => [x.from, x.to, x.kind, x.path.join('.'), x.what])).toEqual([
      ['identity/groups/team', 'identity/groups/ops', 'identity-group', 'identity.groups.team.member_groups.0', 'member group ops'],
      ['identity/groups/team', 'identity/groups/ghost', 'identity-group', 'identity.groups.team.member_groups.1', 'member group ghost'],
      ['identity/groups/gh', 'auth/gh-old', 'auth-mount', 'identity.groups.gh.alias.mount', "auth mount gh-old (of the group's alias)"],
    ]);
  });

  it('a declared object a reference names becomes a dependency (apply skips the object when it fails)', () => {
    const { desired } = setup();
    expect(desired.find((d) => d.address === 'identity/groups/team')!.dependsOn).toEqual(['identity/groups/ops']);
  });
});

describe('preflight', () => {
  it('a reference in neither the config nor the live read is an error at its config position', () => {
    const { r, run } = setup();
    const errors = run();
    expect(errors.map((e) => [e.pos?.file === `${r.dir}/c.yaml`, e.pos?.line, e.pos?.col, e.path, e.message])).toEqual([
      [true, 8, 28, 'identity.groups.team.member_groups.1', 'member group ghost is neither declared in the config nor in Vault, and identity/groups/team cannot be written without it'],
      [true, 11, 33, 'identity.groups.gh.alias.mount', "auth mount gh-old (of the group's alias) is neither declared in the config nor in Vault, and identity/groups/gh cannot be written without it"],
    ]);
    expect(errors.every((e) => e.severity === 'error' && e.hint === 'declare it, create it in Vault first, or remove the reference')).toBe(true);
  });

  it('a live one resolves it; a kind the plan did not read whole is not judged', () => {
    const { run } = setup([liveGroup('ghost'), liveMount('gh-old')]);
    expect(run()).toEqual([]);
    expect(setup().run((k) => k !== 'identity-group' && k !== 'auth-mount')).toEqual([]);
  });

  it('a live one the same plan deletes is an error too', () => {
    const { run } = setup([liveGroup('ghost'), liveMount('gh-old')], ['identity/groups']);
    expect(run().map((e) => [e.path, e.message])).toEqual([
      ['identity.groups.team.member_groups.1', 'member group ghost is deleted by this plan (not in config; collection identity/groups is pruned), and identity/groups/team needs it'],
    ]);
  });

  it('a declared one this plan leaves out (--target) and Vault lacks: an error whose hint adds it to the targets', () => {
    const { run } = setup([liveGroup('ghost'), liveMount('gh-old')], [], (a) => a === 'identity/groups/team');
    const errors = run();
    expect(errors.map((e) => [e.path, e.message])).toEqual([
      ['identity.groups.team.member_groups.0', 'member group ops is not in Vault, and this plan (its --target) does not create it: identity/groups/team cannot be written without it'],
    ]);
    const target = /^add it to the targets \(--target (\S+)\)$/.exec(errors[0]!.hint ?? '')![1]!;
    expect(new Targets([target], KINDS.map((k) => k.name)).matches({ kind: 'identity-group', name: 'ops', address: 'identity/groups/ops' })).toBe(true);
  });

  it('only what a create or update needs is judged: an unchanged object writes nothing', () => {
    const live = [liveGroup('ops'), liveGroup('team', { member_groups: ['ghost', 'ops'] }), liveGroup('gh', { type: 'external', alias: { name: 'acme/devs', mount: 'gh-old' } })];
    const { run } = setup(live);
    expect(run()).toEqual([]);
  });
});
