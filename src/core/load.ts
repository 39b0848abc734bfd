// Loading a config: files → variables → YAML with positions → merge per directory → layering →
// validation (validate.ts) → Config. No Vault, no network; every user mistake is a Diagnostic.
import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { mergeDirectory, overlay, type Layer } from './layering.js';
import type { Config, Diagnostic, ValidationResult } from './model.js';
import { sortDiagnostics } from './diagnostics-format.js';
import { checkConfig } from './validate.js';
import { readVarFiles, type VariableScope } from './variables.js';
import { parseYamlFile, type ParsedFile, type SourceFile } from './yaml-tree.js';

export { formatDiagnostic } from './diagnostics-format.js';
export { parseTtl } from './ttl.js';

export interface LoadOptions {
  /** `--var NAME=value` (wins over var files). */
  vars?: Record<string, string>;
  /** `--var-file`: YAML/JSON mappings (`.yaml`, `.yml`, `.json`) or KEY=VALUE lines (any other name). */
  varFiles?: string[];
  /** For `${env.NAME}` (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** Where credential file paths are resolved and confined (default: the working directory). */
  sinkRoot?: string;
}

/**
 * Every *.yaml / *.yml file under `dir`, recursively, sorted by relative path. Hidden entries are
 * skipped; symbolic links are followed (a Kubernetes ConfigMap volume is made of them), each
 * directory once.
 */
export function configFiles(dir: string): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const walk = (rel: string) => {
    const abs = join(dir, rel);
    const real = realpathSync(abs);
    if (seen.has(real)) return;
    seen.add(real);
    const entries = readdirSync(abs, { withFileTypes: true })
      .filter((e) => !e.name.startsWith('.') && e.name !== 'node_modules')
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const r = rel === '' ? e.name : `${rel}/${e.name}`;
      let isDir = e.isDirectory();
      let isFile = e.isFile();
      if (e.isSymbolicLink()) {
        try {
          const st = statSync(join(dir, r));
          isDir = st.isDirectory();
          isFile = st.isFile();
        } catch {
          continue; // a dangling link
        }
      }
      if (isDir) walk(r);
      else if (isFile && /\.ya?ml$/i.test(e.name)) out.push(r);
    }
  };
  walk('');
  return out;
}

/**
 * Loads and validates the config directories (a single *.yaml file is accepted as a layer too);
 * later directories override earlier ones.
 * `value` is set only when there are no errors.
 */
export function loadConfig(dirs: string[], opts: LoadOptions = {}): ValidationResult<Config> {
  const errors: Diagnostic[] = [];
  const warnings: Diagnostic[] = [];
  const fileVars = readVarFiles(opts.varFiles ?? []);
  errors.push(...fileVars.errors);
  const scope: VariableScope = { vars: { ...fileVars.vars, ...(opts.vars ?? {}) }, env: opts.env ?? process.env };
  const sources = new Map<string, SourceFile>();

  if (dirs.length === 0) {
    errors.push({ severity: 'error', message: 'no config directory given', hint: 'pass one or more -c DIR' });
  }
  let merged: Layer | undefined;
  for (const dir of dirs) {
    let files: string[];
    let base = dir;
    try {
      const st = statSync(dir);
      if (st.isFile() && /\.ya?ml$/i.test(dir)) {
        // A single file is a layer of its own.
        base = dirname(dir);
        files = [basename(dir)];
      } else if (!st.isDirectory()) {
        errors.push({ severity: 'error', message: `config directory ${dir} is not a directory` });
        continue;
      } else {
        files = configFiles(dir);
      }
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      errors.push({ severity: 'error', message: `cannot read config directory ${dir}: ${code === 'ENOENT' ? 'no such directory' : String(code ?? err)}` });
      continue;
    }
    if (files.length === 0) warnings.push({ severity: 'warning', message: `config directory ${dir} has no *.yaml or *.yml files` });
    const parsed: ParsedFile[] = [];
    for (const rel of files) {
      const file = base === dir ? join(dir, rel) : dir;
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (err) {
        errors.push({ severity: 'error', pos: { file, line: 1, col: 1 }, message: `cannot read file: ${String((err as NodeJS.ErrnoException).code ?? err)}` });
        continue;
      }
      const p = parseYamlFile(file, text, scope, sources);
      sources.get(file)!.root = base;
      errors.push(...p.errors);
      parsed.push(p);
    }
    const { layer, errors: dupErrors } = mergeDirectory(parsed);
    errors.push(...dupErrors);
    merged = merged ? overlay(merged, layer) : layer;
  }

  // A file that is not valid YAML has no content to check: stop here rather than report the
  // missing objects it declares (unknown policies, ...) as more errors.
  if (errors.some((e) => e.message.startsWith('YAML syntax error') || e.message.startsWith('duplicate key'))) {
    return { value: undefined, errors: sortDiagnostics(dedupe(errors)), warnings: sortDiagnostics(dedupe(warnings)) };
  }
  const checked = checkConfig(merged ?? { tree: {}, index: new Map() }, sources, errors, { sinkRoot: opts.sinkRoot });
  errors.push(...checked.errors);
  warnings.push(...checked.warnings);
  const sortedErrors = sortDiagnostics(dedupe(errors));
  return {
    value: sortedErrors.length === 0 ? checked.config : undefined,
    errors: sortedErrors,
    warnings: sortDiagnostics(dedupe(warnings)),
  };
}

function dedupe(ds: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return ds.filter((d) => {
    const k = JSON.stringify([d.pos, d.path, d.message]);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
