/**
 * A Kubernetes auth config's token_reviewer_jwt is write-only: `export` cannot carry it, so a later
 * file's export of the whole shared server would plan `token_reviewer_jwt_set: true → false` for it
 * (documented; the user adds the JWT back as a variable). Files that configure one disable those
 * mounts when they finish, so whole-server export tests in later files see only what they can export.
 */
import { vaultClient } from './server.js';

type Json = Record<string, unknown>;

export async function disableReviewerJwtMounts(): Promise<void> {
  const vault = vaultClient();
  try {
    const body = ((await vault.read('sys/auth')) ?? {}) as Json;
    const table = (body.data && typeof body.data === 'object' ? body.data : body) as Json;
    for (const [path, info] of Object.entries(table)) {
      if (!path.endsWith('/') || (info as Json | null)?.type !== 'kubernetes') continue;
      const config = (await vault.read(`auth/${path}config`).catch(() => undefined)) as Json | undefined;
      if ((config?.data as Json | undefined)?.token_reviewer_jwt_set === true) await vault.delete(`sys/auth/${path.slice(0, -1)}`);
    }
  } finally {
    vault.close();
  }
}
