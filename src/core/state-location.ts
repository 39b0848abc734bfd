import { UsageError } from './errors.js';

/** `MOUNT/PATH`: the KV v2 mount `vault-gitops` (created on first apply), secret `state`. */
export const DEFAULT_STATE_PATH = 'vault-gitops/state';

export interface StateLocation {
  /** KV v2 mount path, no slashes around it. */
  mount: string;
  /** Secret path inside the mount. */
  path: string;
  /** `mount/path`, for messages. */
  label: string;
}

/** `MOUNT/PATH` (the first segment is the KV v2 mount); `MOUNT/data/PATH` is accepted too. */
export function parseStatePath(value: string): StateLocation {
  const segs = value.split('/').filter((s) => s !== '');
  if (segs[1] === 'data' && segs.length > 2) segs.splice(1, 1);
  const [mount, ...rest] = segs;
  if (!mount || rest.length === 0) {
    throw new UsageError(`--state-path ${JSON.stringify(value)} is not MOUNT/PATH`, `for example ${DEFAULT_STATE_PATH} or secret/vault-gitops/state`);
  }
  return { mount, path: rest.join('/'), label: `${mount}/${rest.join('/')}` };
}
