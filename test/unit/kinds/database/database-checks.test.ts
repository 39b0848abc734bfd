// What Vault would refuse, or what would leak, in a database mount's config: found offline at file:line:col.
import { describe, expect, it } from 'vitest';
import { loadFiles } from '../../core/load-files.js';

const lines = (...l: string[]) => l.join('\n');
const errors = (yaml: string, vars: Record<string, string> = { db_password: 'bootstrap-pw' }) =>
  loadFiles({ 'c.yaml': yaml }, { vars }).errors.map((e) => [e.pos?.line, e.pos?.col, e.path, e.message]);

const mount = (connection: string[], rest: string[] = []) =>
  lines(
    'secrets:',
    '  database:',
    '    type: database',
    '    connections:',
    '      pg:',
    '        plugin_name: postgresql-database-plugin',
    ...connection.map((l) => `        ${l}`),
    ...rest,
  );
const role = ['    roles:', '      app:', '        db_name: pg', "        creation_statements: ['CREATE ROLE \"{{name}}\"']"];

describe('database checks', () => {
  it('a connection, a role and a static role that refer to each other load with no errors', () => {
    const yaml = mount(
      ['connection_url: "postgresql://{{username}}:{{password}}@db:5432/app"', 'username: vault', 'password: ${var.db_password}', 'allowed_roles: [app, rep]'],
      [...role, '    static_roles:', '      rep: { db_name: pg, username: reporting, rotation_period: 24h }'],
    );
    expect(errors(yaml)).toEqual([]);
  });

  it('a literal password, or one from a plainly named variable, is refused; its value is in no message', () => {
    const literal = errors(mount(['connection_url: "postgresql://{{username}}:{{password}}@db/app"', 'username: vault', 'password: hunter2-literal']));
    expect(literal).toEqual([[9, 19, 'secrets.database.connections.pg.password', expect.stringContaining('the write-only secret `password` is written here as a literal')]]);
    const plain = errors(mount(['connection_url: "postgresql://{{username}}:{{password}}@db/app"', 'password: ${var.dbpw}']), { dbpw: 'plain-value' });
    expect(plain).toEqual([[8, 19, 'secrets.database.connections.pg.password', expect.stringContaining('whose name does not say it is a secret')]]);
    expect(JSON.stringify([literal, plain])).not.toMatch(/hunter2-literal|plain-value/);
  });

  it('a secret-named variable in a non-secret field (the URL, a statement) is refused', () => {
    const r = errors(mount(['connection_url: "postgresql://vault:${var.db_password}@db/app"'], [...role.slice(0, 3), "        creation_statements: ['-- ${var.db_password}']"]));
    expect(r.map((e) => [e[2], String(e[3]).slice(0, 40)])).toEqual([
      ['secrets.database.connections.pg.connection_url', 'connection_url embeds a password: the UR'],
      ['secrets.database.connections.pg.connection_url', '`${var.db_password}` is named like a sec'],
      ['secrets.database.roles.app.creation_statements.0', '`${var.db_password}` is named like a sec'],
    ]);
    expect(JSON.stringify(r)).not.toContain('bootstrap-pw');
  });

  it('a connection_url that embeds a password, as a URL or as key=value, is refused without showing it', () => {
    for (const url of ['postgresql://vault:s3cret-in-url@db/app', "host=db user=vault password=s3cret-in-url dbname=app"]) {
      const r = errors(mount([`connection_url: "${url}"`]));
      expect(r).toEqual([[7, 25, 'secrets.database.connections.pg.connection_url', expect.stringContaining('connection_url embeds a password')]]);
      expect(JSON.stringify(r)).not.toContain('s3cret-in-url');
    }
    expect(errors(mount(['connection_url: "postgresql://db/app"', 'password: ${var.db_password}']))[0]![3]).toContain('has no `{{password}}`');
  });

  it('db_name must be a declared connection that allows the role; allowed_roles must name declared roles', () => {
    const yaml = mount(
      ['connection_url: "postgresql://{{username}}:{{password}}@db/app"', 'allowed_roles: [other, "app-*"]'],
      [...role, '      ghost: { db_name: pgg, creation_statements: [x] }', '    static_roles:', '      rep: { db_name: pg, username: r, rotation_period: 1h, rotation_schedule: "0 * * * *" }'],
    );
    expect(errors(yaml)).toEqual([
      [8, 25, 'secrets.database.connections.pg.allowed_roles', 'allowed_roles names `other`, which is neither a role nor a static role of secrets.database'],
      [11, 18, 'secrets.database.roles.app.db_name', 'the connection `pg` does not list `app` in allowed_roles: Vault refuses to issue credentials for it'],
      [13, 25, 'secrets.database.roles.ghost.db_name', 'db_name "pgg" is not a connection declared in secrets.database.connections, did you mean `pg`?'],
      [15, 7, 'secrets.database.static_roles.rep', 'a static role needs exactly one of rotation_period and rotation_schedule'],
      [15, 23, 'secrets.database.static_roles.rep.db_name', 'the connection `pg` does not list `rep` in allowed_roles: Vault refuses to issue credentials for it'],
    ]);
  });

  it('statements are lists (Vault splits a string at commas)', () => {
    const r = errors(mount(['connection_url: "postgresql://{{username}}:{{password}}@db/app"'], ['    roles:', '      app: { db_name: pg, creation_statements: "GRANT a, b TO x" }']));
    expect(r.map((e) => e[2])).toEqual(['secrets.database.roles.app.creation_statements']);
  });
});
