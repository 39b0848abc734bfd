// The destinations of the objects a plan creates, inspected before any write: what would refuse the
// delivery is a plan error at the object's `credentials:`; what is simply not there yet costs one
// inspection. Over an in-memory sink whose answers each test scripts.
import { describe, expect, it } from 'vitest';
import type { DesiredObject, LiveObject } from '../../../../src/core/model.js';
import type { CredentialSink, CredentialTarget, DeliveredState, SinksPort } from '../../../../src/core/ports.js';
import { checkNewDestinations } from '../../../../src/core/plan/new-destinations.js';
import { planChanges } from '../../../../src/core/plan/plan.js';
import { KINDS } from '../../../../src/kinds/registry.js';
import { loadFiles } from '../load-files.js';

type Answer = DeliveredState | Error;

/** A sink of one type answering `inspect` from `answers` (by describe label; absent: nothing there), counting what it is asked. */
class ScriptedSink implements CredentialSink {
  readonly inspected: string[] = [];
  readonly creatable: string[] = [];
  inFlight = 0;
  maxInFlight = 0;

  constructor(
    readonly type: CredentialSink['type'],
    private readonly answers: Record<string, Answer> = {},
    private readonly notCreatable: Record<string, Error> = {},
  ) {}

  describe(target: CredentialTarget): string {
    return this.type === 'file' ? `file ${target.spec.file!.path}` : `secret ${target.spec.kubernetes!.namespace}/${target.spec.kubernetes!.name}`;
  }
  async inspect(target: CredentialTarget): Promise<DeliveredState> {
    const label = this.describe(target);
    this.inspected.push(label);
    this.maxInFlight = Math.max(this.maxInFlight, ++this.inFlight);
    await new Promise((r) => setImmediate(r));
    this.inFlight--;
    const answer = this.answers[label] ?? { exists: false, owned: true };
    if (answer instanceof Error) throw answer;
    return answer;
  }
  async checkCreatable(target: CredentialTarget): Promise<void> {
    const label = this.describe(target);
    this.creatable.push(label);
    const problem = this.notCreatable[label];
    if (problem) throw problem;
  }
  async write(): Promise<void> {
    throw new Error('a preflight never writes');
  }
}

/** A sink error as the real ones are: one line, `… — hint`, the hint also on its own. */
function sinkError(message: string, hint?: string): Error {
  return Object.assign(new Error(hint ? `${message} — ${hint}` : message), hint ? { hint } : {});
}

function sinksOf(file: ScriptedSink, kube: ScriptedSink, failing?: Error): SinksPort {
  return {
    target: (obj: DesiredObject) => (obj.credentials ? { address: obj.address, kind: obj.kind, mount: obj.mount ?? '', name: obj.name, spec: obj.credentials, vaultAddr: 'http://vault:8200' } : undefined),
    for: async (spec) => {
      if (spec.kubernetes && failing) throw failing;
      return [...(spec.file ? [file] : []), ...(spec.kubernetes ? [kube] : [])];
    },
  };
}

const YAML = [
  'auth:',
  '  approle:',
  '    type: approle',
  '    roles:',
  '      foreign: { credentials: { file: { path: out/foreign.json } } }',
  '      adopted: { credentials: { file: { path: out/adopted.json, adopt: true } } }',
  '      fresh:',
  '        credentials:',
  '          kubernetes: { namespace: ghost, name: fresh }',
  '      both: { credentials: { file: { path: out/both.json }, kubernetes: { namespace: apps, name: both } } }',
  '      live: { credentials: { file: { path: out/live.json } } }',
  '      bare: {}',
  '',
].join('\n');
const lines = YAML.split('\n');
/** 1-based line and column of `text` on the line that holds `on` (a key: positions are the key's). */
const at = (on: string, text: string) => {
  const i = lines.findIndex((l) => l.includes(on));
  return [i + 1, lines[i]!.indexOf(text, lines[i]!.indexOf(on)) + 1];
};

function setup(live: LiveObject[] = []) {
  const r = loadFiles({ 'c.yaml': YAML });
  expect(r.errors).toEqual([]);
  const config = r.value!;
  const desired = KINDS.flatMap((k) => k.desired(config));
  const plan = planChanges({ desired, live, credentials: {}, sinkLabels: {}, prune: [], kinds: KINDS, toolVersion: 't', createdAt: 'now' });
  const run = (sinks: SinksPort, concurrency = 4) => checkNewDestinations({ sinks, kinds: KINDS, config, desired, plan, concurrency });
  return { r, run };
}

const liveRole: LiveObject = { kind: 'approle-role', address: 'auth/approle/roles/live', collection: 'auth/approle/roles', name: 'live', mount: 'approle', settings: {} };

describe('destinations of the objects a plan creates', () => {
  it('one there and not ours without adopt is an error at its credentials, with the adopt hint; adopted, it is fine', async () => {
    const file = new ScriptedSink('file', {
      'file out/foreign.json': { exists: true, owned: false },
      'file out/adopted.json': { exists: true, owned: false },
    });
    const { r, run } = setup([liveRole]);
    const errors = await run(sinksOf(file, new ScriptedSink('kubernetes')));
    expect(errors.map((e) => [e.pos?.file, e.pos?.line, e.pos?.col, e.path, e.message, e.hint])).toEqual([
      [
        `${r.dir}/c.yaml`,
        ...at('foreign:', 'file:'),
        'auth.approle.roles.foreign.credentials.file',
        'file out/foreign.json: exists and was not written by vault-gitops; auth/approle/roles/foreign is not in Vault yet, and creating it would leave its credentials undelivered',
        'set credentials.file.adopt: true to take it over, or choose another path',
      ],
    ]);
    expect(errors[0]!.severity).toBe('error');
  });

  it('what the sink refuses (an error, a namespace that does not exist) is an error with the sink\'s own hint', async () => {
    const file = new ScriptedSink('file', { 'file out/both.json': sinkError('file out/both.json: is a symbolic link (refusing to follow it)') });
    const kube = new ScriptedSink('kubernetes', { 'secret apps/both': sinkError('secret apps/both: read forbidden (403): no', 'grant get, create and update on secrets') }, {
      'secret ghost/fresh': sinkError('secret ghost/fresh: namespace ghost does not exist', 'create namespace ghost first'),
    });
    const { run } = setup([liveRole]);
    const errors = await run(sinksOf(file, kube));
    expect(errors.map((e) => [e.pos?.line, e.pos?.col, e.path, e.message.split(';')[0], e.hint])).toEqual([
      [...at('kubernetes: { namespace: ghost', 'kubernetes:'), 'auth.approle.roles.fresh.credentials.kubernetes', 'secret ghost/fresh: namespace ghost does not exist', 'create namespace ghost first'],
      [...at('both:', 'file:'), 'auth.approle.roles.both.credentials.file', 'file out/both.json: is a symbolic link (refusing to follow it)', "fix the destination or vault-gitops' access to it, or choose another, then plan again"],
      [...at('both:', 'kubernetes:'), 'auth.approle.roles.both.credentials.kubernetes', 'secret apps/both: read forbidden (403): no', 'grant get, create and update on secrets'],
    ]);
  });

  it('sinks that cannot be set up (no kubeconfig) are an error at the credentials of each object that needs them', async () => {
    const { run } = setup([liveRole]);
    const errors = await run(sinksOf(new ScriptedSink('file'), new ScriptedSink('kubernetes'), sinkError('kubernetes: no Kubernetes cluster configured')));
    expect(errors.map((e) => [e.path, e.message.split(';')[0]])).toEqual([
      ['auth.approle.roles.fresh.credentials', 'kubernetes: no Kubernetes cluster configured'],
      ['auth.approle.roles.both.credentials', 'kubernetes: no Kubernetes cluster configured'],
    ]);
  });

  it('each destination of each new object is inspected once, concurrently and bounded; an absent one is asked what inspect cannot see; objects in Vault are not inspected here', async () => {
    const file = new ScriptedSink('file');
    const kube = new ScriptedSink('kubernetes');
    const { run } = setup([liveRole]);
    expect(await run(sinksOf(file, kube), 2)).toEqual([]);
    expect(file.inspected.sort()).toEqual(['file out/adopted.json', 'file out/both.json', 'file out/foreign.json']);
    expect(kube.inspected.sort()).toEqual(['secret apps/both', 'secret ghost/fresh']);
    expect(file.creatable.sort()).toEqual(file.inspected);
    expect(kube.creatable.sort()).toEqual(kube.inspected);
    expect(file.maxInFlight + kube.maxInFlight).toBeGreaterThan(1);
    expect(Math.max(file.maxInFlight, kube.maxInFlight)).toBeLessThanOrEqual(2);
  });

  it('a plan that creates no object with credentials inspects nothing', async () => {
    const file = new ScriptedSink('file');
    const kube = new ScriptedSink('kubernetes');
    const r = loadFiles({ 'c.yaml': 'auth:\n  approle:\n    type: approle\n    roles:\n      bare: {}\n' });
    const config = r.value!;
    const desired = KINDS.flatMap((k) => k.desired(config));
    const plan = planChanges({ desired, live: [], credentials: {}, sinkLabels: {}, prune: [], kinds: KINDS, toolVersion: 't', createdAt: 'now' });
    expect(await checkNewDestinations({ sinks: sinksOf(file, kube), kinds: KINDS, config, desired, plan, concurrency: 4 })).toEqual([]);
    expect([...file.inspected, ...kube.inspected]).toEqual([]);
  });
});
