import { describe, expect, it } from 'vitest';
import { auditFileProblems, auditOptionsBody, exportAudit, normaliseAudit, parseGoBool, unsafeAuditOptions } from '../../../../src/kinds/sys/audit-options.js';
import { exportGroup, liveGroupSettings, normaliseGroup } from '../../../../src/kinds/identity/identity-group-shape.js';
import { exportKvConfig, isKvV2Declared, normaliseKvConfig } from '../../../../src/kinds/kv/kv-config.js';

describe('identity group shape', () => {
  it('defaults the type to internal, sorts sets, stringifies metadata, trims alias mount paths', () => {
    expect(normaliseGroup({ policies: ['b', 'a', 'b'], metadata: { n: 3, a: 'x' }, member_groups: ['z', 'y'] })).toEqual({
      type: 'internal',
      policies: ['a', 'b'],
      metadata: { a: 'x', n: '3' },
      member_groups: ['y', 'z'],
    });
    expect(normaliseGroup({ type: 'external', alias: { name: 'devs', mount: 'auth/gh/' } })).toEqual({ type: 'external', alias: { name: 'devs', mount: 'gh' } });
  });

  it('an external group without a declared alias has none (so a live one is a difference)', () => {
    expect(normaliseGroup({ type: 'external' })).toEqual({ type: 'external', alias: null });
  });

  it('reads ids back as names and accessors as mount paths', () => {
    const data = { type: 'external', policies: null, metadata: null, member_group_ids: null, alias: { name: 'devs', mount_accessor: 'auth_jwt_1', id: 'a1' } };
    expect(liveGroupSettings(data, { groups: new Map(), entities: new Map() }, new Map([['auth_jwt_1', 'oidc/corp']]))).toEqual({
      type: 'external',
      policies: [],
      metadata: {},
      member_groups: [],
      alias: { name: 'devs', mount: 'oidc/corp' },
    });
    const inner = { type: 'internal', member_group_ids: ['id-b', 'id-gone'], member_entity_ids: ['e-1', 'e-gone'], alias: {} };
    const live = liveGroupSettings(inner, { groups: new Map([['id-b', 'b']]), entities: new Map([['e-1', 'alice']]) }, new Map());
    expect(live.member_groups).toEqual(['(unknown group id id-gone)', 'b']);
    expect(live.member_entities).toEqual(['(unknown entity id e-gone)', 'alice']);
    // An external group's entities are the logins Vault put there: not compared, not exported.
    expect(liveGroupSettings({ ...inner, type: 'external' }, { groups: new Map(), entities: new Map([['e-1', 'alice']]) }, new Map()).member_entities).toBeUndefined();
  });

  it('exports without defaults or empty fields', () => {
    expect(exportGroup({ type: 'internal', policies: [], metadata: {}, member_groups: ['a'] })).toEqual({ member_groups: ['a'] });
    expect(exportGroup({ type: 'external', policies: ['p'], metadata: {}, member_groups: [], alias: null })).toEqual({ type: 'external', policies: ['p'] });
  });
});

describe('audit device options', () => {
  it("compares Vault's string forms with YAML's values and drops Vault's defaults", () => {
    const live = normaliseAudit({ type: 'file', description: '', local: false, options: { file_path: '/a', mode: '640', hmac_accessor: 'true', log_raw: '0', format: 'json' } });
    expect(live).toEqual({ type: 'file', description: '', local: false, options: { file_path: '/a', mode: '0640' } });
    expect(normaliseAudit({ type: 'file', options: { file_path: '/a', mode: 640, hmac_accessor: true } })).toEqual({ type: 'file', options: { file_path: '/a', mode: '0640' } });
    expect(normaliseAudit({ type: 'file', options: { file_path: '/a', mode: '0600' } }).options).toEqual({ file_path: '/a' });
    expect(normaliseAudit({ type: 'socket', options: { address: 'h:9', write_timeout: '2s', socket_type: 'tcp' } }).options).toEqual({ address: 'h:9' });
    expect(normaliseAudit({ type: 'syslog', options: { facility: 'AUTH', tag: 'v2' } }).options).toEqual({ tag: 'v2' });
  });

  it('sends every option as a string', () => {
    expect(auditOptionsBody({ mode: '0640', elide_list_responses: true, write_timeout: 5 })).toEqual({ mode: '0640', elide_list_responses: 'true', write_timeout: '5s' });
  });

  it('refuses options that put secrets or accessors in the log in clear, in any spelling Vault accepts', () => {
    expect(parseGoBool('T')).toBe(true);
    expect(unsafeAuditOptions({ log_raw: 'T' }).map((u) => u.option)).toEqual(['log_raw']);
    expect(unsafeAuditOptions({ log_raw: 'yes' }).map((u) => u.option)).toEqual(['log_raw']);
    expect(unsafeAuditOptions({ hmac_accessor: '0' }).map((u) => u.option)).toEqual(['hmac_accessor']);
    expect(unsafeAuditOptions({ log_raw: false, hmac_accessor: 'true' })).toEqual([]);
  });

  it('a file path must read as what it is (absolute, no `.`/`..` segments) and the log must not be world-writable', () => {
    const bad = (options: Record<string, unknown>) => auditFileProblems('file', options).map((p) => `${p.option}: ${p.message}`);
    expect(bad({ file_path: '/var/log/vault/../../../etc/cron.d/x' })).toEqual(['file_path: file_path has an empty, `.` or `..` segment, so it is not the path it reads as']);
    expect(bad({ file_path: '/var/log/vault/%2e%2e/x' })).toHaveLength(1);
    expect(bad({ file_path: '/var/log//x' })).toHaveLength(1);
    expect(bad({ file_path: 'audit.log' })).toEqual(["file_path: file_path is not absolute (it would depend on the Vault server's working directory)"]);
    expect(bad({ file_path: '/var/log/a.log\n' })).toEqual(['file_path: file_path contains a control character']);
    expect(bad({ file_path: '/a.log', mode: 666 })).toEqual(['mode: mode 0666 makes the audit log writable by every user of the Vault host, who could then alter or forge its records']);
    expect(bad({ file_path: '/a.log', mode: '0002' })).toHaveLength(1);
    for (const ok of [{ file_path: 'stdout' }, { file_path: 'discard' }, { file_path: '/var/log/vault/audit..log', mode: 640 }, { file_path: '/a', mode: '0000' }]) expect(bad(ok)).toEqual([]);
    expect(auditFileProblems('socket', { address: '../x' })).toEqual([]);
  });

  it('exports only what differs from the defaults', () => {
    expect(exportAudit({ type: 'file', description: '', local: false, options: { file_path: '/a' } })).toEqual({ type: 'file', options: { file_path: '/a' } });
  });
});

describe('KV v2 mount settings', () => {
  it('compares Go durations as seconds', () => {
    expect(normaliseKvConfig({ max_versions: '5', cas_required: 'true', delete_version_after: '1h0m0s' })).toEqual({ max_versions: 5, cas_required: true, delete_version_after: 3600 });
    expect(normaliseKvConfig({ delete_version_after: '0s' })).toEqual({ delete_version_after: 0 });
  });

  it('exports nothing when everything is Vault default', () => {
    expect(exportKvConfig({ max_versions: 0, cas_required: false, delete_version_after: 0 })).toBeUndefined();
    expect(exportKvConfig({ max_versions: 3, cas_required: false, delete_version_after: 90 })).toEqual({ max_versions: 3, delete_version_after: '90s' });
  });

  it('knows a KV version 2 mount from the config', () => {
    expect(isKvV2Declared({ type: 'kv-v2', settings: {} })).toBe(true);
    expect(isKvV2Declared({ type: 'kv', settings: { options: { version: 2 } } })).toBe(true);
    expect(isKvV2Declared({ type: 'kv', settings: {} })).toBe(false);
  });
});
