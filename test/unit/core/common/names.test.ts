import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadFiles } from '../load-files.js';
import { hasCollapsingSegment, isDotSegment } from '../../../../src/core/common/names.js';

function load(text: string) {
  const r = loadFiles({ 'c.yaml': text });
  const file = join(r.dir, 'c.yaml');
  return { ...r, brief: (ds: typeof r.errors) => ds.map((d) => `${d.pos?.file === file ? '' : '?'}${d.pos?.line}:${d.pos?.col} ${d.message}`) };
}
const hcl = '{ policy: \'path "a" { capabilities = ["read"] }\' }';

describe('object names Vault would refuse fail validation at the name', () => {
  it('users, AppRoles and PKI roles follow Vault\'s generic name rule', () => {
    const r = load(
      [
        `policies: { p: ${hcl} }`,
        'auth:',
        '  up:',
        '    type: userpass',
        '    users:',
        '      "bob@example.com": {}',
        '      -alice: {}',
        '      j.doe: {}',
        '  ar:',
        '    type: approle',
        '    roles:',
        '      "web app": {}',
        '      web_app-1.v2: {}',
        'secrets:',
        '  pki:',
        '    type: pki',
        '    roles:',
        '      "svc/x": {}',
        '      Svc-X: {}',
      ].join('\n') + '\n',
    );
    const rule = 'is not a name Vault accepts: letters, digits and `_`, with `-` and `.` allowed inside';
    expect(r.brief(r.errors)).toEqual([`6:7 user name \`bob@example.com\` ${rule}`, `7:7 user name \`-alice\` ${rule}`, `12:7 role name \`web app\` ${rule}`, `18:7 role name \`svc/x\` ${rule}`]);
  });

  it('policy names may hold `/` (Vault takes the rest of the path), not white space, commas or empty segments', () => {
    const ok = load(`policies:\n  team/app: ${hcl}\n  a.b_c-d: ${hcl}\nauth:\n  ar:\n    type: approle\n    roles:\n      web: { token_policies: [team/app] }\n`);
    expect(ok.errors).toEqual([]);
    expect(Object.keys(ok.value!.policies)).toEqual(['team/app', 'a.b_c-d']);
    const bad = load(`policies:\n  "a b": ${hcl}\n  "a,b": ${hcl}\n  /lead: ${hcl}\n  x//y: ${hcl}\n  x/../y: ${hcl}\n`);
    expect(bad.brief(bad.errors)).toEqual([
      '2:3 policy name `a b` contains white space or a control character',
      '3:3 policy name `a,b` contains a comma (token_policies lists are comma-separated)',
      '4:3 policy name `/lead` starts or ends with `/`',
      '5:3 policy name `x//y` contains an empty, `.` or `..` segment',
      '6:3 policy name `x/../y` contains an empty, `.` or `..` segment',
    ]);
  });
});

describe('CIDR fields are parsed, with positions', () => {
  it('refuses an out-of-range prefix and garbage, warns about host bits', () => {
    const r = load(
      [
        `policies: { p: ${hcl} }`,
        'auth:',
        '  ar:',
        '    type: approle',
        '    roles:',
        '      web:',
        '        token_bound_cidrs: [10.0.0.0/33, 10.1.0.0/16]',
        '        secret_id_bound_cidrs: "192.168.0.0/16, garbage"',
        '  up:',
        '    type: userpass',
        '    users:',
        '      bob:',
        '        token_bound_cidrs: [10.0.0.1/8, "2001:db8::/129"]',
      ].join('\n') + '\n',
    );
    expect(r.brief(r.errors)).toEqual([
      '7:29 CIDR `10.0.0.0/33` has prefix length /33: it must be 0 to 32 for an IPv4 address',
      '8:32 CIDR `garbage` is not an IPv4 or IPv6 address',
      '13:41 CIDR `2001:db8::/129` has prefix length /129: it must be 0 to 128 for an IPv6 address',
    ]);
    expect(r.brief(r.warnings.filter((w) => w.message.startsWith('CIDR')))).toEqual(['13:29 CIDR `10.0.0.1/8` has host bits set: Vault matches it as 10.0.0.0/8']);
  });
});

describe('segments a URL resolves away', () => {
  it('`.` and `..`, also with %2e for a dot, in any case', () => {
    expect(['.', '..', '%2e', '%2E%2e', '.%2e', '%2e.'].every(isDotSegment)).toBe(true);
    expect(['...', 'a.', '.a', '..a', '%2ex', '%252e', ''].some(isDotSegment)).toBe(false);
  });

  it('a path with an empty or dot segment anywhere', () => {
    expect(['../x', 'a/../b', 'a/./b', 'a//b', 'a/', 'a/%2e%2e'].every(hasCollapsingSegment)).toBe(true);
    expect(['a', 'a/b.c', 'a/..b/c', 'team/app'].some(hasCollapsingSegment)).toBe(false);
  });
});
