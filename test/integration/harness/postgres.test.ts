// The PostgreSQL harness (test/servers/postgres.ts): a real server from the Debian package, a
// superuser whose password only this test knows, gone after stop(). With
// VAULT_GITOPS_TEST_KILL=postgres-runner (scripts/check-server-death.sh) it waits to be killed
// instead, to prove that postgres does not outlive a SIGKILLed test runner.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alive, waitToBeKilled } from '../helpers/harness-check.js';
import { startPostgres, type PostgresServer } from '../../servers/postgres.js';

const killMode = process.env.VAULT_GITOPS_TEST_KILL === 'postgres-runner';

describe.runIf(killMode)('when the test runner is killed with postgres running', () => {
  it('waits to be killed', async () => {
    const pg = await startPostgres();
    await waitToBeKilled({ postgres: pg.pid, watchdog: pg.watchdogPid });
  });
});

describe.skipIf(killMode)('the PostgreSQL test server', () => {
  let pg: PostgresServer;
  beforeAll(async () => {
    pg = await startPostgres();
  });
  afterAll(async () => {
    await pg?.stop();
  });

  it('runs on loopback with a superuser password only the test knows', () => {
    expect(pg.version).toMatch(/^\d+\.\d+/);
    const who = pg.psql('SELECT current_user, inet_server_addr()');
    expect(who.stderr).toBe('');
    expect(who.stdout.trim()).toBe('postgres|127.0.0.1');
    const wrong = pg.psql('SELECT 1', { user: 'postgres', password: 'not-the-password' });
    expect(wrong.status).not.toBe(0);
    expect(wrong.stderr).toMatch(/password authentication failed/);
  });

  it('stop() ends the server and removes its data', async () => {
    const other = await startPostgres();
    expect(alive(other.pid)).toBe(true);
    await other.stop();
    expect(alive(other.pid)).toBe(false);
    expect(existsSync(other.logFile)).toBe(false);
    expect(other.psql('SELECT 1').status).not.toBe(0);
  });
});
