import { describe, expect, it } from 'vitest';
import { connectionTarget, embeddedPassword } from '../../../../src/kinds/database/connection-url.js';
import { findDestroys } from '../../../../src/core/plan/destroys.js';
import { databaseConnectionKind } from '../../../../src/kinds/database/database-connection.js';
import type { Change, LiveObject } from '../../../../src/core/model.js';

describe('connection_url', () => {
  it('finds a password embedded as URL userinfo or key=value, not the {{password}} template', () => {
    expect(embeddedPassword('postgresql://{{username}}:{{password}}@db:5432/app')).toBeUndefined();
    expect(embeddedPassword('postgresql://{{username}}:{{ password }}@db/app')).toBeUndefined();
    expect(embeddedPassword('postgresql://vault@db/app')).toBeUndefined();
    expect(embeddedPassword('postgresql://vault:pw1@db/app')).toBe('pw1');
    expect(embeddedPassword('host=db user=vault password=pw2 dbname=app')).toBe('pw2');
    expect(embeddedPassword("host=db password='pw 3'")).toBe('pw 3');
    expect(embeddedPassword('postgresql://{{username}}@db/app?sslmode=require&password=pw4')).toBe('pw4');
    expect(embeddedPassword('host=db password={{password}}')).toBeUndefined();
  });

  it('tells where it connects: host and port, whatever the credentials and database', () => {
    expect(connectionTarget('postgresql://{{username}}:{{password}}@DB.example.com:5432/app')).toBe('db.example.com:5432');
    expect(connectionTarget('postgresql://{{username}}:{{password}}@db.example.com:5432/other?sslmode=require')).toBe('db.example.com:5432');
    expect(connectionTarget('host=db port=5432 dbname=app')).toBe('host=db port=5432');
    expect(connectionTarget('dbname=app')).toBeUndefined();
  });
});

describe('a connection moved to another host', () => {
  const live: LiveObject = { kind: 'database-connection', address: 'secrets/database/connections/pg', collection: 'secrets/database/connections', name: 'pg', mount: 'database', settings: {} };
  const update = (before: string, after: string): Change => ({
    address: live.address,
    kind: live.kind,
    action: 'update',
    reason: 'differs from config',
    fields: [{ name: 'connection_url', before, after, sensitive: false }],
    security: true,
  });
  const kinds = new Map([[databaseConnectionKind.name, databaseConnectionKind]]);
  const destroys = (c: Change) => findDestroys([c], new Map([[live.address, live]]), kinds);

  it('is destructive-grade: Vault would send the live root credential there', () => {
    const d = destroys(update('postgresql://{{username}}:{{password}}@db:5432/app', 'postgresql://{{username}}:{{password}}@evil.example:5432/app'));
    expect(d).toEqual([{ address: live.address, code: 'database-connection', what: expect.stringContaining('evil.example:5432: Vault would log in there with the live root credential') }]);
  });

  it('another database or option on the same host is an ordinary update', () => {
    expect(destroys(update('postgresql://{{username}}:{{password}}@db:5432/app', 'postgresql://{{username}}:{{password}}@db:5432/other?sslmode=require'))).toEqual([]);
  });
});
