// The AWS IAM policy vault-gitops' own identity needs for a config's S3 sinks (`policy-for --s3`):
// read for plan and drift, read and write for apply and rotate, on exactly the objects the config
// names. Pure: desired objects in, the policy document out.
import type { DesiredObject, S3SinkSpec } from '../core/model.js';

export interface IamStatement {
  Effect: 'Allow';
  Action: string[];
  Resource: string[];
}

export interface IamPolicy {
  Version: '2012-10-17';
  Statement: IamStatement[];
}

/** undefined when the config has no S3 sink. */
export function s3Policy(desired: DesiredObject[], mode: 'plan' | 'apply'): IamPolicy | undefined {
  const sinks = desired.flatMap((d) => (d.credentials?.s3 ? [d.credentials.s3] : []));
  if (sinks.length === 0) return undefined;
  const objects = unique(sinks.map((s) => `arn:aws:s3:::${s.bucket}/${s.key}`));
  const statements: IamStatement[] = [{ Effect: 'Allow', Action: mode === 'plan' ? ['s3:GetObject'] : ['s3:GetObject', 's3:PutObject'], Resource: objects }];
  // Without ListBucket, S3 answers 403 (not 404) for a missing object, and plan could not tell a
  // deleted delivery from a refused read. (No s3:prefix condition: a GET carries no prefix to match.)
  statements.push({ Effect: 'Allow', Action: ['s3:ListBucket'], Resource: unique(sinks.map((s) => `arn:aws:s3:::${s.bucket}`)) });
  const kms = unique(sinks.flatMap((s: S3SinkSpec) => (s.sse === 'aws:kms' && s.kms_key_id ? [s.kms_key_id] : [])));
  if (kms.length > 0) statements.push({ Effect: 'Allow', Action: mode === 'plan' ? ['kms:Decrypt'] : ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: kms });
  return { Version: '2012-10-17', Statement: statements };
}

const unique = (xs: string[]): string[] => [...new Set(xs)].sort();
