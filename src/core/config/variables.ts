// `${var.NAME}` and `${env.NAME}` in YAML string values.
//
// - `${var.NAME}` comes from --var NAME=value, then --var-file files (command line wins).
// - `${env.NAME}` comes from the environment, only for names allowed (env-policy.ts): declared in
//   the config's `variables: { env: [...] }`, passed with --allow-env, or prefixed VAULT_GITOPS_VAR_;
//   names that look like credentials never.
// - `$${` is a literal `${`.
// - Only YAML values are substituted: never keys, never the contents of policy `file:`s (HCL has
//   its own `${...}` syntax). Inline `policy:` text is a YAML value: write `$${` there.
// - A value that is exactly one reference and not quoted takes the type its text has in YAML
//   (`token_num_uses: ${var.USES}` with USES=5 is the number 5); a quoted one stays a string.
// - No message ever shows a variable's value: errors about a substituted value name the reference.
//
// Variable files: `*.yaml` / `*.yml` / `*.json` files are a mapping of NAME: value (scalars only);
// any other file is KEY=VALUE lines (blank lines and `#` comments ignored, optional surrounding quotes).
import { readFileSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import { LineCounter, parseDocument, isMap, isScalar } from 'yaml';
import { ENV_PREFIX, envAccess } from './env-policy.js';
import { formatBytes } from './input-limits.js';
import type { Diagnostic } from '../model.js';
import { didYouMean } from '../common/suggest.js';

export interface VariableScope {
  vars: Record<string, string>;
  env: Record<string, string | undefined>;
  /** Environment variable names the config declares or --allow-env allows. */
  allowedEnv: ReadonlySet<string>;
}

export interface SubstitutionProblem {
  /** Index in the string where the reference starts. */
  index: number;
  /** The reference as written: `${var.NAME}`. */
  text: string;
  message: string;
  hint?: string;
}

/** A reference as shown in a message: the file may hold megabytes after an unterminated `${`. */
const clip = (s: string): string => (s.length > 60 ? `${s.slice(0, 57)}...` : s);

const REF = /\$\$\{|\$\{([^}]*)\}?/g;

/** Replaces references; every problem is reported with its index in the string. */
export function substitute(
  s: string,
  scope: VariableScope,
): { value: string; problems: SubstitutionProblem[]; whole: boolean; refs: string[] } {
  const problems: SubstitutionProblem[] = [];
  const refs: string[] = [];
  if (!s.includes('${')) return { value: s, problems, whole: false, refs };
  let count = 0;
  const value = s.replace(REF, (match: string, body: string | undefined, index: number) => {
    if (match === '$${') return '${';
    count++;
    if (!match.endsWith('}')) {
      problems.push({ index, text: match, message: `unterminated reference \`${clip(match)}\``, hint: 'write ${var.NAME} or ${env.NAME}; $${ is a literal ${' });
      return match;
    }
    const m = /^\s*(var|env)\.([A-Za-z_][A-Za-z0-9_-]*)\s*$/.exec(body ?? '');
    if (!m) {
      problems.push({ index, text: match, message: `unknown reference \`${clip(match)}\``, hint: 'write ${var.NAME} or ${env.NAME}; $${ is a literal ${' });
      return match;
    }
    const [, ns, name] = m as unknown as [string, 'var' | 'env', string];
    if (ns === 'var') {
      const v = scope.vars[name];
      if (v !== undefined) {
        refs.push(`var.${name}`);
        return v;
      }
      problems.push({
        index,
        text: match,
        message: `undefined variable \`var.${name}\`${didYouMean(name, Object.keys(scope.vars))}`,
        hint: `pass --var ${name}=VALUE or a --var-file that defines it`,
      });
      return match;
    }
    const access = envAccess(name, scope.allowedEnv);
    if (access === 'credential') {
      problems.push({
        index,
        text: match,
        message: `\`env.${name}\` looks like a credential: the config never reads such variables (they would end up in plans, pull-request comments and errors)`,
        hint: 'a config holds no secrets; vault-gitops generates and delivers credentials itself',
      });
      return match;
    }
    if (access === 'not-allowed') {
      problems.push({
        index,
        text: match,
        message: `environment variable \`env.${name}\` is not allowed`,
        hint: `declare it in the config (variables: { env: [${name}] }), pass --allow-env ${name}, or name it ${ENV_PREFIX}${name}`,
      });
      return match;
    }
    const v = scope.env[name];
    if (v !== undefined) {
      refs.push(`env.${name}`);
      return v;
    }
    const set = [...scope.allowedEnv].filter((n) => scope.env[n] !== undefined);
    problems.push({ index, text: match, message: `undefined environment variable \`env.${name}\`${didYouMean(name, set)}`, hint: `set ${name} in the environment` });
    return match;
  });
  const whole = count === 1 && /^\$\{[^}]*\}$/.test(s);
  return { value, problems, whole, refs };
}

/** Reads variable files (see the header for the formats); later files override earlier ones. */
export function readVarFiles(files: string[], maxBytes: number): { vars: Record<string, string>; errors: Diagnostic[] } {
  const vars: Record<string, string> = {};
  const errors: Diagnostic[] = [];
  for (const file of files) {
    let text: string;
    try {
      const size = statSync(file).size;
      if (size > maxBytes) {
        errors.push({ severity: 'error', pos: { file, line: 1, col: 1 }, message: `variable file is ${size} bytes, more than the limit of ${formatBytes(maxBytes)}` });
        continue;
      }
      text = readFileSync(file, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      errors.push({ severity: 'error', message: `cannot read variable file ${file}: ${code === 'ENOENT' ? 'no such file' : String(code ?? err)}` });
      continue;
    }
    const ext = extname(file).toLowerCase();
    if (ext === '.yaml' || ext === '.yml' || ext === '.json') {
      const lc = new LineCounter();
      const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
      const at = (offset: number) => ({ file, ...lc.linePos(offset) });
      if (doc.errors.length > 0) {
        for (const e of doc.errors) errors.push({ severity: 'error', pos: at(e.pos[0]), message: `YAML syntax error: ${firstLine(e.message)}` });
        continue;
      }
      if (doc.contents === null) continue;
      if (!isMap(doc.contents)) {
        errors.push({ severity: 'error', pos: at(doc.contents.range?.[0] ?? 0), message: 'a variable file must be a mapping of NAME: value' });
        continue;
      }
      for (const pair of doc.contents.items) {
        const k = isScalar(pair.key) ? String(pair.key.value) : undefined;
        const v = pair.value;
        if (k === undefined || !isScalar(v) || (v.value !== null && typeof v.value === 'object')) {
          const off = (isScalar(pair.key) ? pair.key.range?.[0] : undefined) ?? 0;
          errors.push({ severity: 'error', pos: at(off), message: `variable ${k ?? '?'}: the value must be a string, number or boolean` });
          continue;
        }
        vars[k] = v.value === null ? '' : String(v.value);
      }
    } else {
      text.split(/\r?\n/).forEach((raw, idx) => {
        const line = raw.trim();
        if (line === '' || line.startsWith('#')) return;
        const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_-]*)\s*=\s*(.*)$/.exec(line);
        if (!m) {
          errors.push({ severity: 'error', pos: { file, line: idx + 1, col: raw.indexOf(line) + 1 }, message: 'expected NAME=value' });
          return;
        }
        let v = m[2]!;
        if (v.length >= 2 && ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'")))) v = v.slice(1, -1);
        vars[m[1]!] = v;
      });
    }
  }
  return { vars, errors };
}

/** A YAML error's first line, without the position (shown separately) or a source excerpt. */
export function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '');
}

/**
 * The last line of defence: any variable value (of 4 characters or more) left in a message or hint
 * is replaced by the reference's name. Messages about substituted values already name the
 * reference (SourceEntry.refs); this catches every other path.
 */
export function redactValues(ds: Diagnostic[], scope: VariableScope): Diagnostic[] {
  const values: Array<[string, string]> = [];
  for (const [name, v] of Object.entries(scope.vars)) values.push([v, `<var.${name}>`]);
  for (const [name, v] of Object.entries(scope.env)) {
    if (v !== undefined && envAccess(name, scope.allowedEnv) === 'allowed') values.push([v, `<env.${name}>`]);
  }
  const shown = values.filter(([v]) => v.length >= 4).sort((a, b) => b[0].length - a[0].length);
  if (shown.length === 0) return ds;
  const clean = (text: string): string => {
    let out = text;
    for (const [v, ref] of shown) {
      out = out.split(v).join(ref);
      const escaped = JSON.stringify(v).slice(1, -1);
      if (escaped !== v) out = out.split(escaped).join(ref);
    }
    return out;
  };
  return ds.map((d) => ({ ...d, message: clean(d.message), ...(d.hint !== undefined ? { hint: clean(d.hint) } : {}) }));
}
