// The atomic writer removes its temp file when the process is interrupted mid-write (SIGINT, SIGTERM)
// and the signal keeps its meaning (the process ends by it). Runs the built writer in a child process.
import { spawn } from 'node:child_process';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CLI } from '../helpers/cli.js';

// The built module (dist/src), next to the bundled command (dist/bin).
const writer = pathToFileURL(join(CLI, '../../src/adapters/files.js')).href;

// Starts a large write, waits until its temp file exists, then signals itself.
const script = `
import { readdirSync } from 'node:fs';
import { writeFileAtomic } from ${JSON.stringify(writer)};
const [dir, signal] = process.argv.slice(1); // node -e: no script path in argv
writeFileAtomic(dir + '/big.json', 'x'.repeat(128 * 1024 * 1024)).then(() => console.log('finished'));
const poll = () => {
  if (readdirSync(dir).some((n) => n.startsWith('.vault-gitops-tmp-'))) {
    console.log('temp seen');
    process.kill(process.pid, signal);
  } else setImmediate(poll);
};
poll();
`;

function run(dir: string, signal: string): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script, dir, signal], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.on('error', reject);
    child.on('close', (code, sig) => resolve({ code, signal: sig, stdout }));
  });
}

describe('writeFileAtomic interrupted', () => {
  it.each(['SIGINT', 'SIGTERM'])('%s mid-write: the temp file is removed, the target never appears, the process ends by the signal', async (signal) => {
    const dir = await mkdtemp(join(tmpdir(), 'vg-signal-'));
    const r = await run(dir, signal);
    expect(r.stdout).toContain('temp seen');
    expect(r.stdout).not.toContain('finished');
    expect(r.signal).toBe(signal);
    expect(await readdir(dir)).toEqual([]);
  });
});
