// `policies:`: names Vault stores unchanged, inline HCL or a `file:` read in (confined to the config
// directory), and the HCL checked at its own line and column.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import type { Checker } from './checker.js';
import { checkPolicyHcl } from './hcl.js';
import type { PolicyConfig } from '../model.js';
import { policyNameProblem } from '../common/names.js';
import { confinePath } from '../common/paths.js';
import { posInScalar, type Json } from '../config/yaml-tree.js';

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export function readPolicies(c: Checker, tree: Json): Record<string, PolicyConfig> {
  const out: Record<string, PolicyConfig> = {};
  const section = tree.policies;
  if (!isObj(section)) return out;
  for (const [name, p] of Object.entries(section)) {
    const path = ['policies', name];
    if (name !== name.toLowerCase()) {
      c.error(
        path,
        c.keyPos(path),
        `policy name \`${name}\` has upper-case letters: Vault stores policy names lower-cased, so every plan would show a change`,
        `rename it to \`${name.toLowerCase()}\``,
      );
    }
    if (name === 'root') c.error(path, c.keyPos(path), 'the `root` policy cannot be changed in Vault', 'remove it from the config');
    const problem = policyNameProblem(name);
    if (problem) c.error(path, c.keyPos(path), `policy name \`${name}\` ${problem}`, 'Vault could not store it under this name');
    if (!isObj(p)) continue;
    if (c.broken(path)) {
      // Reported already; still a declared policy, so references to it are not reported too.
      out[name] = { policy: typeof p.policy === 'string' ? p.policy : '' };
      continue;
    }
    if (typeof p.policy === 'string' && p.file === undefined) {
      const entry = c.entry([...path, 'policy']);
      const src = entry ? c.sources.get(entry.pos.file) : undefined;
      out[name] = { policy: p.policy, ...(entry && src ? { at: posInScalar(src, entry, 1, 1) } : {}) };
      for (const pr of checkPolicyHcl(p.policy)) {
        const pos = entry && src ? posInScalar(src, entry, pr.line, pr.col) : c.valuePos([...path, 'policy']);
        c.error([...path, 'policy'], pos, `policy HCL: ${pr.message}`, pr.hint);
      }
    } else if (typeof p.file === 'string' && p.policy === undefined) {
      const fpath = [...path, 'file'];
      const declaredIn = c.valuePos(fpath)?.file ?? '.';
      const shown = isAbsolute(p.file) ? p.file : join(dirname(declaredIn), p.file);
      const root = c.sources.get(declaredIn)?.root ?? dirname(declaredIn);
      const confined = confinePath({ path: p.file, from: dirname(declaredIn), root, rootLabel: `the config directory ${root}`, use: 'read' });
      if (!confined.ok) {
        const message = confined.missing ? `cannot read policy file ${shown}: no such file` : `policy file ${p.file} ${confined.problem}`;
        c.error(fpath, c.valuePos(fpath), message, confined.hint);
        out[name] = { policy: '' };
        continue;
      }
      const abs = confined.path;
      let text: string;
      try {
        text = readFileSync(abs, 'utf8');
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        c.error(
          fpath,
          c.valuePos(fpath),
          `cannot read policy file ${shown}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : String(code ?? err)}`,
          'the path is relative to the YAML file that declares the policy',
        );
        out[name] = { policy: '', file: abs };
        continue;
      }
      out[name] = { policy: text, file: abs };
      for (const pr of checkPolicyHcl(text)) {
        c.error(fpath, { file: shown, line: pr.line, col: pr.col }, `policy HCL: ${pr.message}`, pr.hint);
      }
    }
  }
  return out;
}
