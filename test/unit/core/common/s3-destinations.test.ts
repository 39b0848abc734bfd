import { describe, expect, it } from 'vitest';
import { endpointOrigin, parseS3Allow, s3DestinationProblem } from '../../../../src/core/common/s3-destinations.js';

describe('VAULT_GITOPS_S3_ALLOW', () => {
  it('parses buckets, key prefixes and endpoints, and reports what does not parse', () => {
    expect(parseS3Allow('creds, team-a/apps/ other@https://S3.Example.com:9000/\n')).toEqual({
      allowed: [{ bucket: 'creds', prefix: '' }, { bucket: 'team-a', prefix: 'apps/' }, { bucket: 'other', prefix: '', endpoint: 'https://s3.example.com:9000' }],
      invalid: [],
    });
    expect(parseS3Allow('UPPER x@ftp://h y@https://user:pw@h z@https://h/path').invalid).toEqual(['UPPER', 'x@ftp://h', 'y@https://user:pw@h', 'z@https://h/path']);
    expect(parseS3Allow(undefined)).toEqual({ allowed: [], invalid: [] });
  });

  it('allows a destination only when bucket, endpoint and key prefix all match one entry', () => {
    const allow = 'creds team/apps/@http://127.0.0.1:9000';
    expect(s3DestinationProblem({ bucket: 'creds', key: 'any/key.json' }, allow)).toBeUndefined();
    expect(s3DestinationProblem({ bucket: 'team', key: 'apps/web.json', endpoint: 'http://127.0.0.1:9000/' }, allow)).toBeUndefined();
    // Another endpoint for an allowed bucket, the default endpoint for an endpoint-bound one, a key outside the prefix.
    expect(s3DestinationProblem({ bucket: 'creds', key: 'a', endpoint: 'https://evil.example' }, allow)?.message).toBe(
      'credentials go to s3://creds/a at https://evil.example, which VAULT_GITOPS_S3_ALLOW does not allow',
    );
    expect(s3DestinationProblem({ bucket: 'team', key: 'apps/web.json' }, allow)?.hint).toContain('add team to VAULT_GITOPS_S3_ALLOW');
    expect(s3DestinationProblem({ bucket: 'team', key: 'other/web.json', endpoint: 'http://127.0.0.1:9000' }, allow)).toBeDefined();
  });

  it('allows nothing when unset, and nothing when an entry is malformed (never a guess)', () => {
    expect(s3DestinationProblem({ bucket: 'creds', key: 'a' }, undefined)?.message).toContain('VAULT_GITOPS_S3_ALLOW is not set');
    expect(s3DestinationProblem({ bucket: 'creds', key: 'a' }, 'creds bad@nowhere')?.message).toContain('bad@nowhere');
  });

  it('normalises an endpoint to its origin and refuses paths, users and other schemes', () => {
    expect(endpointOrigin('HTTPS://Host:443/')).toBe('https://host');
    for (const bad of ['https://h/p', 'https://u@h', 'ftp://h', 'not a url', 'https://h?x=1']) expect(endpointOrigin(bad), bad).toBeUndefined();
  });
});
