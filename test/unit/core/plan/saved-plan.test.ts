import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../../../src/adapters/files.js';
import { desired, live } from '../../fixtures/objects.js';
import type { DesiredObject, LiveObject, Plan } from '../../../../src/core/model.js';
import { configFingerprint, planChanges } from '../../../../src/core/plan/plan.js';
import {
  liveFingerprints,
  parseSavedPlan,
  readSavedPlan,
  savedPlanText,
  staleObject,
  type FreshState,
} from '../../../../src/core/plan/saved-plan.js';
import { KINDS } from '../../../../src/kinds/registry.js';


const D = [
  desired('policy', 'policies/web', { policy: 'path "a" { capabilities = ["read"] }' }),
  desired('approle-role', 'auth/approle/roles/svc', { token_ttl: '1h' }),
];
const L = [
  live('policy', 'policies/web', { policy: 'path "a" { capabilities = ["list"] }' }),
  live('policy', 'policies/other', { policy: 'x' }),
  live('auth-mount', 'auth/approle', { type: 'approle' }),
];

function state(desiredObjs: DesiredObject[], liveObjs: LiveObject[], managed: string[] = []): FreshState & { plan: Plan } {
  const plan = planChanges({
    desired: desiredObjs,
    live: liveObjs,
    credentials: {},
    sinkLabels: {},
    prune: [],
    managed,
    kinds: KINDS,
    toolVersion: 'test',
    createdAt: new Date().toISOString(),
  });
  return { configFingerprint: configFingerprint(desiredObjs, KINDS), fingerprints: liveFingerprints(liveObjs, desiredObjs), plan };
}
const saved = (s: FreshState) => parseSavedPlan(savedPlanText(s.plan, s.fingerprints), 'plan.json');

describe('live fingerprints', () => {
  it('hashes each live object and lists each collection read, declared empty collections included', () => {
    const fp = liveFingerprints(L, D);
    expect(Object.keys(fp.objects).sort()).toEqual(['auth/approle', 'policies/other', 'policies/web']);
    expect(fp.objects['policies/web']).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(fp.collections).toEqual({ policies: ['policies/other', 'policies/web'], auth: ['auth/approle'], 'auth/approle/roles': [] });
  });
});

describe('staleObject', () => {
  it('accepts a plan when nothing changed (a different clock is fine)', () => {
    expect(staleObject(saved(state(D, L)), state(D, L))).toBeUndefined();
  });

  it('names the configuration when it changed', () => {
    const D2 = [D[0]!, desired('approle-role', 'auth/approle/roles/svc', { token_ttl: '2h' })];
    expect(staleObject(saved(state(D, L)), state(D2, L))).toBe('the configuration');
  });

  it('names a live object changed by hand, even one the plan does not change', () => {
    const L2 = [L[0]!, live('policy', 'policies/other', { policy: 'changed' }), L[2]!];
    expect(staleObject(saved(state(D, L)), state(D, L2))).toBe('policies/other');
  });

  it('names an object that appeared in a listed collection, or disappeared', () => {
    expect(staleObject(saved(state(D, L)), state(D, [...L, live('approle-role', 'auth/approle/roles/new', {})]))).toBe('auth/approle/roles/new');
    expect(staleObject(saved(state(D, L)), state(D, L.slice(0, 2)))).toBe('auth/approle');
  });

  it('names the object whose planned change differs when the state record changed', () => {
    expect(staleObject(saved(state(D, L)), state(D, L, ['policies/other']))).toBe('policies/other');
  });
});

describe('saved plan files', () => {
  it('are written 0600, carry no extra secrets, validate against the plan schema, and read back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'saved-plan-'));
    const file = join(dir, 'plan.json');
    const s = state(D, L);
    await writeFileAtomic(file, savedPlanText(s.plan, s.fingerprints));
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const schema = JSON.parse(await readFile(new URL('../../../../schemas/plan.schema.json', import.meta.url), 'utf8')) as object;
    const validate = new Ajv2020.default({ allErrors: true, strict: true }).compile(schema);
    const json = JSON.parse(await readFile(file, 'utf8')) as unknown;
    expect(validate(json), JSON.stringify(validate.errors)).toBe(true);
    const back = await readSavedPlan(file);
    expect(back.live_fingerprints).toEqual(s.fingerprints);
    expect(staleObject(back, s)).toBeUndefined();
  });

  it('refuses an unknown format_version and files without fingerprints', () => {
    const s = state(D, L);
    const json = JSON.parse(savedPlanText(s.plan, s.fingerprints)) as Record<string, unknown>;
    expect(() => parseSavedPlan(JSON.stringify({ ...json, format_version: '99' }), 'p.json')).toThrow(/format_version "99" is not supported/);
    const { live_fingerprints: _, ...plain } = json;
    expect(() => parseSavedPlan(JSON.stringify(plain), 'p.json')).toThrow(/not a saved plan/);
    expect(() => parseSavedPlan('{', 'p.json')).toThrow(/not a saved plan/);
    expect(() => parseSavedPlan(JSON.stringify({ ...json, format_version: '1' }), 'p.json')).toThrow(/format_version "1" is not supported \(this vault-gitops reads "3"\)/);
    const { destroys: _d, ...noDestroys } = json;
    expect(() => parseSavedPlan(JSON.stringify(noDestroys), 'p.json')).toThrow(/not a saved plan/);
  });
});

describe('configFingerprint', () => {
  const config = (secret: string, issuer: string) => [desired('jwt-config', 'auth/oidc/config', { oidc_client_secret: secret, bound_issuer: issuer })];

  it('changes with any compared field', () => {
    expect(configFingerprint(config('s3cret', 'https://a'), KINDS)).not.toBe(configFingerprint(config('s3cret', 'https://b'), KINDS));
  });

  it('leaves write-only secrets out, so a plan file carries not even their hash', () => {
    expect(configFingerprint(config('s3cret', 'https://a'), KINDS)).toBe(configFingerprint(config('other', 'https://a'), KINDS));
  });
});
