// `${var.NAME}` and `${env.NAME}` in YAML string values.
//
// - `${var.NAME}` comes from --var NAME=value, then --var-file files (command line wins).
// - `${env.NAME}` comes from the environment.
// - `$${` is a literal `${`.
// - Only YAML values are substituted: never keys, never the contents of policy `file:`s (HCL has
//   its own `${...}` syntax). Inline `policy:` text is a YAML value: write `$${` there.
// - A value that is exactly one reference and not quoted takes the type its text has in YAML
//   (`token_num_uses: ${var.USES}` with USES=5 is the number 5); a quoted one stays a string.
//
// Variable files: `*.yaml` / `*.yml` / `*.json` files are a mapping of NAME: value (scalars only);
// any other file is KEY=VALUE lines (blank lines and `#` comments ignored, optional surrounding quotes).
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { LineCounter, parseDocument, isMap, isScalar } from 'yaml';
import type { Diagnostic } from './model.js';
import { didYouMean } from './suggest.js';

export interface VariableScope {
  vars: Record<string, string>;
  env: Record<string, string | undefined>;
}

export interface SubstitutionProblem {
  /** Index in the string where the reference starts. */
  index: number;
  /** The reference as written: `${var.NAME}`. */
  text: string;
  message: string;
  hint?: string;
}

const REF = /\$\$\{|\$\{([^}]*)\}?/g;

/** Replaces references; every problem is reported with its index in the string. */
export function substitute(s: string, scope: VariableScope): { value: string; problems: SubstitutionProblem[]; whole: boolean } {
  const problems: SubstitutionProblem[] = [];
  if (!s.includes('${')) return { value: s, problems, whole: false };
  let count = 0;
  const value = s.replace(REF, (match: string, body: string | undefined, index: number) => {
    if (match === '$${') return '${';
    count++;
    if (!match.endsWith('}')) {
      problems.push({ index, text: match, message: `unterminated reference \`${match}\``, hint: 'write ${var.NAME} or ${env.NAME}; $${ is a literal ${' });
      return match;
    }
    const m = /^\s*(var|env)\.([A-Za-z_][A-Za-z0-9_-]*)\s*$/.exec(body ?? '');
    if (!m) {
      problems.push({ index, text: match, message: `unknown reference \`${match}\``, hint: 'write ${var.NAME} or ${env.NAME}; $${ is a literal ${' });
      return match;
    }
    const [, ns, name] = m as unknown as [string, 'var' | 'env', string];
    if (ns === 'var') {
      const v = scope.vars[name];
      if (v !== undefined) return v;
      problems.push({
        index,
        text: match,
        message: `undefined variable \`var.${name}\`${didYouMean(name, Object.keys(scope.vars))}`,
        hint: `pass --var ${name}=VALUE or a --var-file that defines it`,
      });
      return match;
    }
    const v = scope.env[name];
    if (v !== undefined) return v;
    problems.push({ index, text: match, message: `undefined environment variable \`env.${name}\``, hint: `set ${name} in the environment` });
    return match;
  });
  const whole = count === 1 && /^\$\{[^}]*\}$/.test(s);
  return { value, problems, whole };
}

/** Reads variable files (see the header for the formats); later files override earlier ones. */
export function readVarFiles(files: string[]): { vars: Record<string, string>; errors: Diagnostic[] } {
  const vars: Record<string, string> = {};
  const errors: Diagnostic[] = [];
  for (const file of files) {
    let text: string;
    try {
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
        for (const e of doc.errors) errors.push({ severity: 'error', pos: at(e.pos[0]), message: e.message });
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
