import { describe, expect, it } from 'vitest';
import { loadFiles } from '../load-files.js';

const load = (text: string) => loadFiles({ 'c.yaml': text });
const line = (d: { pos?: { line: number; col: number }; message: string; hint?: string }) => `${d.pos?.line}:${d.pos?.col} ${d.message}`;

describe('mount types, offline', () => {
  it('a typo of a built-in type is an error with the suggestion, at the value', () => {
    const r = load('auth:\n  up:\n    type: userpas\nsecrets:\n  t:\n    type: transt\n');
    expect(r.value).toBeUndefined();
    expect(r.errors.map(line)).toEqual(['3:11 unknown auth method type `userpas`, did you mean `userpass`?', '6:11 unknown secrets engine type `transt`, did you mean `transit`?']);
    expect(r.errors[0]!.hint).toContain('approle');
  });

  it('built-in types of Vault and OpenBao pass; a name far from all of them may be a custom plugin (a warning)', () => {
    const r = load('auth:\n  a: { type: okta }\n  b: { type: kerberos }\n  c: { type: vault-plugin-auth-corp }\nsecrets:\n  d: { type: database }\n  e: { type: kv-v2 }\n  f: { type: openldap }\n');
    expect(r.errors).toEqual([]);
    expect(r.warnings.map(line)).toEqual(['4:14 `vault-plugin-auth-corp` is not a built-in auth method type of Vault or OpenBao']);
    expect(r.warnings[0]!.hint).toContain("plan checks it against the server's plugin catalog");
  });

  it('Vault\'s own types cannot be mounted', () => {
    const r = load('secrets:\n  c2:\n    type: cubbyhole\n');
    expect(r.errors.map(line)).toEqual(["3:11 mount type `cubbyhole` is Vault's own and cannot be mounted"]);
  });
});
