import { describe, expect, it } from 'vitest';
import { widening } from '../../../../src/core/access/binding-widening.js';

describe('a login binding that admits more', () => {
  it.each([
    ['bound_claims', { sub: 'repo:org/app:ref:refs/heads/main' }, { sub: 'repo:org/*' }, 'claim "sub" admits "repo:org/*"'],
    ['bound_claims', { sub: 'a', env: ['prod'] }, { sub: 'a' }, 'claim "env" no longer checked'],
    ['bound_claims', { env: ['prod'] }, { env: ['prod', 'dev'] }, 'claim "env" admits "dev"'],
    ['bound_claims_type', 'string', 'glob', 'bound claims compared as globs'],
    ['bound_audiences', ['vault'], undefined, 'audience binding removed: any audience'],
    ['bound_audiences', ['vault'], ['vault', 'other'], 'admits "other"'],
    ['bound_subject', 'repo:org/app', '', 'subject binding removed: any subject'],
    ['token_bound_cidrs', ['10.0.0.0/8'], [], 'CIDR binding removed: logins from any address'],
    ['secret_id_bound_cidrs', ['10.0.0.0/8'], ['10.0.0.0/8', '0.0.0.0/0'], 'admits "0.0.0.0/0"'],
    ['bound_service_account_names', ['app'], ['*'], '* admits any ServiceAccount'],
    ['bound_service_account_namespaces', ['team-a'], ['team-a', '*'], '* admits any namespace'],
    ['bound_service_account_namespace_selector', undefined, '{"matchLabels":{"x":"y"}}', 'namespaces matching the selector are admitted too'],
    ['bind_secret_id', true, false, 'no secret_id needed: the role_id alone logs in'],
    ['organization', 'acme', 'evil', 'another organization: "evil"'],
    ['alias', { mount: 'github', name: 'ops' }, { mount: 'oidc', name: 'ops' }, 'group alias moved to another mount: "oidc"'],
    ['member_groups', ['a'], ['a', 'b'], 'members of "b" join'],
  ])('%s: %j → %j', (field, before, after, expected) => {
    expect(widening(field, before, after)).toBe(expected);
  });

  it.each([
    ['bound_claims', { sub: 'a' }, { sub: 'a', env: 'prod' }],
    ['token_bound_cidrs', ['10.0.0.0/8', '192.168.0.0/16'], ['10.0.0.0/8']],
    ['token_bound_cidrs', [], ['10.0.0.0/8']],
    ['bound_service_account_names', ['a', 'b'], ['a']],
    ['bind_secret_id', false, true],
    ['bound_subject', undefined, 'repo:org/app'],
    ['member_groups', ['a', 'b'], ['a']],
    ['user_claim', 'sub', 'email'],
  ])('narrowing or neutral, not flagged: %s %j → %j', (field, before, after) => {
    expect(widening(field, before, after)).toBeUndefined();
  });
});
