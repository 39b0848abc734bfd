import { describe, expect, it } from 'vitest';
import { leakyNodeDebug, nodeDebugRefusal } from '../../../src/cli/node-debug.js';

describe('NODE_DEBUG', () => {
  it('finds the sections that make Node print request headers, wildcards included', () => {
    expect(leakyNodeDebug('http')).toEqual(['http']);
    expect(leakyNodeDebug('fs, HTTPS ,net')).toEqual(['https', 'net']);
    expect(leakyNodeDebug('*')).toEqual(['*']);
    expect(leakyNodeDebug('ht*')).toEqual(['ht*']);
    expect(leakyNodeDebug('fs,module,worker')).toEqual([]);
    expect(leakyNodeDebug(undefined)).toEqual([]);
    expect(leakyNodeDebug('')).toEqual([]);
  });

  it('refuses with the sections and how to fix it', () => {
    expect(nodeDebugRefusal('fs')).toBeUndefined();
    const r = nodeDebugRefusal('fs,tls');
    expect(r).toContain('NODE_DEBUG=tls');
    expect(r).toContain('unset NODE_DEBUG');
  });
});
