// A PKI CA newly published to every namespace is a trust change: the plan lists it in its access
// changes (how many namespaces, which, by what rule) at the top of text, markdown and JSON, and
// `--fail-on access` exits 3. The built CLI against the run's server and a real kube-apiserver.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Plan } from '../../../src/core/model.js';
import { cli, configDir, uniq } from '../helpers/cli.js';
import { startKube, type KubeServer } from '../../servers/kube.js';

const id = uniq('');
const pki = `pki-caa${id}`;
const NAMESPACES = ['shop', 'billing', 'ops'];
let kube: KubeServer;
let env: NodeJS.ProcessEnv = {};

const config = (publish: boolean) =>
  [
    'secrets:',
    `  ${pki}:`,
    '    type: pki',
    '    tune: { max_lease_ttl: 87600h }',
    `    root_ca: { common_name: Access Test Root ${id}, ttl: 8760h }`,
    ...(publish ? ['    publish:', '      company-ca:', '        namespaces: { all: true, exclude: [kube-system] }'] : []),
    '',
  ].join('\n');

beforeAll(async () => {
  kube = await startKube();
  for (const name of NAMESPACES) expect((await kube.request('POST', '/api/v1/namespaces', { metadata: { name } })).status).toBe(201);
  env = { KUBECONFIG: kube.kubeconfigPath };
  const dir = await configDir({ 'vault.yaml': config(false) });
  const applied = await cli(['apply', '-c', dir, '--auto-approve'], { cwd: dir, env });
  expect(applied.code, applied.stdout + applied.stderr).toBe(0);
}, 600_000);

afterAll(async () => {
  await kube?.stop();
});

describe('a CA newly published to every namespace', () => {
  it('is a trust change at the top of the plan, with its namespaces; --fail-on access exits 3', async () => {
    const dir = await configDir({ 'vault.yaml': config(true) });
    const json = await cli(['plan', '-c', dir, '-o', 'json'], { cwd: dir, env });
    expect(json.code, json.stderr).toBe(0);
    const plan = JSON.parse(json.stdout) as Plan;
    const namespaces = plan.ca_bundles!.filter((c) => c.action === 'create').map((c) => c.namespace).sort();
    // Every namespace the apiserver has but kube-system: the test's own and the built-in ones.
    expect(namespaces).toEqual(expect.arrayContaining([...NAMESPACES, 'default'].sort()));
    expect(namespaces).not.toContain('kube-system');
    const address = `secrets/${pki}/publish/company-ca`;
    const what = `the CA of ${pki} published to ${namespaces.length} more namespaces (every namespace except kube-system)`;
    expect(plan.access_changes).toEqual({
      summary: { principals: 0, privileged: 0, widened: 0, trust: 1 },
      principals: [],
      trust: [{ address, kind: 'ca-bundle', subject: 'CA bundle', what, namespaces }],
    });

    const text = await cli(['plan', '-c', dir, '--fail-on', 'access'], { cwd: dir, env });
    expect(text.code, text.stderr).toBe(3);
    expect(text.stderr).toContain('error: the plan has 1 access finding (--fail-on access)');
    expect(text.stdout.split('\n').slice(0, 2)).toEqual(['Access changes:', `  ~ ${address}: ${what}: ${namespaces.join(', ')}  [trust]`]);

    const markdown = await cli(['plan', '-c', dir, '-o', 'markdown', '--fail-on', 'privileged'], { cwd: dir, env });
    expect(markdown.code, markdown.stderr).toBe(0);
    expect(markdown.stdout).toContain(`#### Access changes\n\n- 🔑 secrets/${pki}/publish/company-ca: the CA of ${pki} published to ${namespaces.length} more namespaces`);
  });
});
