import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { HEARTBEAT_STALE_SECONDS, holderAlive, holderProcessGone, lockOwner } from '../../../src/core/lock.js';
import type { LockInfo } from '../../../src/core/state.js';

const now = new Date('2026-12-01T03:00:00Z');
const at = (secondsAgo: number) => new Date(now.getTime() - secondsAgo * 1000).toISOString();
const lock = (over: Partial<LockInfo>): LockInfo => ({ id: 'x', owner: 'ci@host pid 1', acquired_at: at(600), expires_at: at(-600), ...over });

describe('holderAlive', () => {
  it('is alive while the holder beats recently and the lock has not expired', () => {
    expect(holderAlive(lock({ heartbeat_at: at(5) }), now)).toBe(true);
  });
  it('is dead once the heartbeat is older than three beats, when it has none, or when the lock expired', () => {
    expect(holderAlive(lock({ heartbeat_at: at(HEARTBEAT_STALE_SECONDS + 1) }), now)).toBe(false);
    expect(holderAlive(lock({}), now)).toBe(false);
    expect(holderAlive(lock({ heartbeat_at: at(1), expires_at: at(1) }), now)).toBe(false);
    expect(holderAlive(lock({ heartbeat_at: 'not a time' }), now)).toBe(false);
  });
});

describe('holderProcessGone', () => {
  it('is true only for a holder on this machine whose process no longer exists', async () => {
    const here = lockOwner().replace(/ pid \d+$/, '');
    const child = spawn(process.execPath, ['-e', '0']);
    await new Promise((r) => child.on('exit', r));
    expect(holderProcessGone(lock({ owner: `${here} pid ${child.pid}` }))).toBe(true);
    expect(holderProcessGone(lock({ owner: lockOwner() }))).toBe(false);
    expect(holderProcessGone(lock({ owner: `someone@elsewhere pid ${child.pid}` }))).toBe(false);
    expect(holderProcessGone(lock({ owner: 'not a pid' }))).toBe(false);
  });
});
