import { describe, expect, it } from 'vitest';
import type { DesiredObject } from '../../../src/core/model.js';
import { s3Policy } from '../../../src/credentials/s3-policy.js';

const holder = (name: string, s3?: NonNullable<DesiredObject['credentials']>['s3']): DesiredObject =>
  ({ address: `auth/approle/roles/${name}`, kind: 'approle-role', mount: 'approle', name, settings: {}, ...(s3 ? { credentials: { s3 } } : { credentials: { file: { path: 'x' } } }) }) as DesiredObject;

describe('policy-for --s3', () => {
  const desired = [
    holder('web', { bucket: 'creds', key: 'prod/web.json' }),
    holder('batch', { bucket: 'creds', key: 'prod/batch.env', format: 'env', sse: 'aws:kms', kms_key_id: 'arn:aws:kms:eu-west-1:1:key/k' }),
    holder('other', { bucket: 'other', key: 'o.json' }),
    holder('filed'),
  ];

  it('grants read for plan and read + write for apply on exactly the configured objects, ListBucket on their buckets', () => {
    expect(s3Policy(desired, 'plan')).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::creds/prod/batch.env', 'arn:aws:s3:::creds/prod/web.json', 'arn:aws:s3:::other/o.json'] },
        { Effect: 'Allow', Action: ['s3:ListBucket'], Resource: ['arn:aws:s3:::creds', 'arn:aws:s3:::other'] },
        { Effect: 'Allow', Action: ['kms:Decrypt'], Resource: ['arn:aws:kms:eu-west-1:1:key/k'] },
      ],
    });
    const apply = s3Policy(desired, 'apply')!;
    expect(apply.Statement[0]!.Action).toEqual(['s3:GetObject', 's3:PutObject']);
    expect(apply.Statement[2]!.Action).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
  });

  it('is undefined for a config without S3 sinks', () => {
    expect(s3Policy([holder('filed')], 'apply')).toBeUndefined();
  });
});
