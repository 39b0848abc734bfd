// Secret fields (a kind's sensitiveFields: oidc_client_secret, token_reviewer_jwt) take their values
// from a var file CI also gives to plan jobs of pull requests, never a literal (the config is in git). A pull request that moved such a
// reference into a field plans show (a description, a policy comment) would print the secret in the
// plan and the pull-request comment. So a variable named like a secret is refused outside secret
// fields, and a secret field takes only variables named like that: the rule then holds for every
// variable a secret field uses, whatever the pull request changes.
import type { Checker } from './checker.js';
import type { Kind } from '../kind.js';
import type { Config } from '../model.js';
import { placedEntries } from '../config/placed.js';
import { dotted, referencePos, type SourceEntry } from '../config/yaml-tree.js';

/** `oidc_client_secret`, `k8s_reviewer_jwt`, `github_token`, `db_password`, `api_key`; not `token_ttl` or `key_type`. */
const SECRET_NAME = /(secret|jwt|token|passw(or)?d|passphrase|(^|_)key|credentials?)$/i;

export const isSecretVariableName = (name: string): boolean => SECRET_NAME.test(name);

export function checkSecretVariables(c: Checker, config: Config, kinds: readonly Kind[]): void {
  const secretFields = new Map<string, string>();
  for (const kind of kinds) {
    for (const e of placedEntries(config, kind)) for (const f of kind.sensitiveFields) secretFields.set(dotted([...e.path, f]), f);
  }
  const fieldList = [...new Set(kinds.flatMap((k) => k.sensitiveFields))].join(', ');
  for (const [path, entry] of c.layer.index) {
    const field = secretFields.get(path);
    if (field !== undefined && !entry.refs && !c.broken(path.split('.'))) {
      c.error(
        [path],
        entry.pos,
        `the write-only secret \`${field}\` is written here as a literal: the config is committed to git, so the secret would be in its history`,
        `give it in a --var-file and write \`\${var.${field}}\` (a variable named like a secret); if this value was ever pushed, rotate it`,
      );
    }
    for (const ref of entry.refs ?? []) {
      const [source, name = ''] = ref.split(/\.(.*)/s);
      const at = refPos(c, entry, ref);
      if (field === undefined && source === 'var' && isSecretVariableName(name)) {
        c.error(
          [path],
          at,
          `\`\${var.${name}}\` is named like a secret, and \`${path}\` is not a secret field: plans, pull-request comments and exports would show its value`,
          `a secret variable goes only into a secret field (${fieldList}); remove it from here`,
        );
      } else if (field !== undefined && source === 'env') {
        c.error([path], at, `the secret field \`${field}\` reads \`\${env.${name}}\`: environment variables a config may read are for values that are not secret`, `give the secret in a --var-file as \`\${var.${field}}\``);
      } else if (field !== undefined && !isSecretVariableName(name)) {
        c.error(
          [path],
          at,
          `the secret field \`${field}\` takes \`\${var.${name}}\`, whose name does not say it is a secret: a pull request could move that reference into a field plans show`,
          `rename the variable so its name ends in secret, jwt, token, password or key (e.g. \`\${var.${field}}\`)`,
        );
      }
    }
  }
}

/** Where `${ref}` is written inside the value (a block scalar's line, not its `|`). */
function refPos(c: Checker, entry: SourceEntry, ref: string) {
  const src = c.sources.get(entry.pos.file);
  return src && entry.scalar ? referencePos(src, entry.scalar.offset, entry.scalar.end, `\${${ref}}`) : entry.pos;
}
