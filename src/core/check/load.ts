// Loading a config: files → variables → YAML with positions → merge per directory → layering →
// validation (validate.ts) → Config. No Vault, no network; every user mistake is a Diagnostic.
import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Kind } from '../kind.js';
import { placedEntries } from '../config/placed.js';
import { Layout, mergeDirectory, overlay, type Layer } from '../config/layering.js';
import type { Config, Diagnostic, ValidationResult } from '../model.js';
import { sortDiagnostics } from './diagnostics-format.js';
import { checkConfig } from './validate.js';
import { ENV_NAME, looksLikeCredential } from '../config/env-policy.js';
import { DEFAULT_LIMITS, formatBytes, type InputLimits } from '../config/input-limits.js';
import { readVarFiles, redactValues, type VariableScope } from '../config/variables.js';
import { declaredEnv, readYaml, toTree, type ParsedFile, type SourceFile, type YamlFile } from '../config/yaml-tree.js';

export { formatDiagnostic } from './diagnostics-format.js';
export { parseTtl } from '../common/ttl.js';

export interface LoadOptions {
  /** `--var NAME=value` (wins over var files). */
  vars?: Record<string, string>;
  /** `--var-file`: YAML/JSON mappings (`.yaml`, `.yml`, `.json`) or KEY=VALUE lines (any other name). */
  varFiles?: string[];
  /** For `${env.NAME}` (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** Where credential file paths are resolved and confined (default: the working directory). */
  sinkRoot?: string;
  /** Where S3 sinks may upload (VAULT_GITOPS_S3_ALLOW; core/common/s3-destinations.ts). Unset: nowhere. */
  s3Allow?: string;
  /** `--allow-env NAME`: environment variables `${env.NAME}` may read besides the declared ones. */
  allowEnv?: string[];
  /** `--no-config-env`: ignore the config's own `variables.env` (a pull request can edit it). */
  configEnv?: boolean;
  /** Size and alias caps (default DEFAULT_LIMITS). */
  limits?: Partial<InputLimits>;
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
 * later directories override earlier ones. `kinds` (the registry) say where objects are declared.
 * `value` is set only when there are no errors.
 */
export function loadConfig(dirs: string[], kinds: readonly Kind[], opts: LoadOptions = {}): ValidationResult<Config> {
  const limits: InputLimits = { ...DEFAULT_LIMITS, ...opts.limits };
  const errors: Diagnostic[] = [];
  const warnings: Diagnostic[] = [];
  const fileVars = readVarFiles(opts.varFiles ?? [], limits.maxFileBytes);
  errors.push(...fileVars.errors);
  const sources = new Map<string, SourceFile>();

  if (dirs.length === 0) {
    errors.push({ severity: 'error', message: 'no config directory given', hint: 'pass one or more -c DIR' });
  }
  // Pass 1: read and parse every file (declarations of environment variables may sit in any of them).
  const layers: Array<{ dir: string; root: string; files: YamlFile[] }> = [];
  let totalBytes = 0;
  for (const dir of dirs) {
    const listed = listLayer(dir, errors);
    if (!listed) continue;
    if (listed.files.length === 0) warnings.push({ severity: 'warning', message: `config directory ${dir} has no *.yaml or *.yml files` });
    const files: YamlFile[] = [];
    for (const file of listed.files) {
      const text = readLimited(file, limits, totalBytes, errors);
      if (text === undefined) continue;
      totalBytes += Buffer.byteLength(text);
      const y = readYaml(file, text, sources, limits);
      errors.push(...y.errors);
      files.push(y);
    }
    layers.push({ dir, root: listed.root, files });
  }
  const allowedEnv = new Set(opts.allowEnv ?? []);
  for (const y of layers.flatMap((l) => l.files)) {
    for (const { name, pos } of declaredEnv(y)) {
      if (!ENV_NAME.test(name)) continue; // the schema reports it
      if (looksLikeCredential(name)) {
        errors.push({
          severity: 'error',
          pos,
          path: 'variables.env',
          message: `\`${name}\` looks like a credential: the config never reads such environment variables`,
          hint: 'a config holds no secrets; remove it (vault-gitops generates and delivers credentials itself)',
        });
      } else if (opts.configEnv !== false) allowedEnv.add(name);
    }
  }
  const scope: VariableScope = { vars: { ...fileVars.vars, ...(opts.vars ?? {}) }, env: opts.env ?? process.env, allowedEnv };

  // Pass 2: substitute variables, merge each directory's files, layer the directories.
  const layout = new Layout(kinds.flatMap((k) => (k.placement ? [k.placement] : [])));
  let merged: Layer | undefined;
  for (const { files, root } of layers) {
    const parsed: ParsedFile[] = [];
    for (const y of files) {
      const p = toTree(y, scope, limits);
      // The parsed document is the largest thing a file leaves in memory: let it go once converted.
      y.doc = undefined;
      y.src.root = root;
      errors.push(...p.errors);
      parsed.push(p);
    }
    const { layer, errors: dupErrors } = mergeDirectory(parsed, layout);
    errors.push(...dupErrors);
    merged = merged ? overlay(merged, layer, layout) : layer;
  }

  // A file that is not valid YAML has no content to check: stop here rather than report the
  // missing objects it declares (unknown policies, ...) as more errors.
  if (errors.some((e) => e.message.startsWith('YAML syntax error') || e.message.startsWith('YAML limit') || e.message.startsWith('duplicate key'))) {
    return finish(errors, warnings, undefined, scope);
  }
  const checked = checkConfig(merged ?? { tree: {}, index: new Map() }, sources, kinds, errors, { sinkRoot: opts.sinkRoot, s3Allow: opts.s3Allow });
  errors.push(...checked.errors);
  warnings.push(...checked.warnings);
  if (errors.length === 0 && declaresNothing(checked.config, kinds)) errors.push(emptyConfigError(dirs, layers.reduce((n, l) => n + l.files.length, 0)));
  return finish(errors, warnings, checked.config, scope);
}

/** The files of one `-c` argument (a directory, or a single YAML file); undefined after an error. */
function listLayer(dir: string, errors: Diagnostic[]): { files: string[]; root: string } | undefined {
  try {
    const st = statSync(dir);
    // A single file is a layer of its own; its directory is its config root.
    if (st.isFile() && /\.ya?ml$/i.test(dir)) return { files: [dir], root: dirname(dir) };
    if (!st.isDirectory()) {
      errors.push({ severity: 'error', message: `config directory ${dir} is not a directory` });
      return undefined;
    }
    return { files: configFiles(dir).map((rel) => join(dir, rel)), root: dir };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    errors.push({ severity: 'error', message: `cannot read config directory ${dir}: ${code === 'ENOENT' ? 'no such directory' : String(code ?? err)}` });
    return undefined;
  }
}

/** A file's text, unless it (or all files so far) is over the size limits. */
function readLimited(file: string, limits: InputLimits, before: number, errors: Diagnostic[]): string | undefined {
  const pos = { file, line: 1, col: 1 };
  try {
    const size = statSync(file).size;
    if (size > limits.maxFileBytes) {
      errors.push({ severity: 'error', pos, message: `YAML limit: the file is ${size} bytes, more than ${formatBytes(limits.maxFileBytes)}`, hint: 'split it into several files' });
      return undefined;
    }
    if (before + size > limits.maxTotalBytes) {
      errors.push({ severity: 'error', pos, message: `YAML limit: the config files together are more than ${formatBytes(limits.maxTotalBytes)}`, hint: 'check the -c directories: they hold more than a config' });
      return undefined;
    }
    return readFileSync(file, 'utf8');
  } catch (err) {
    errors.push({ severity: 'error', pos, message: `cannot read file: ${String((err as NodeJS.ErrnoException).code ?? err)}` });
    return undefined;
  }
}

function declaresNothing(config: Config, kinds: readonly Kind[]): boolean {
  return Object.keys(config.auth).length === 0 && Object.keys(config.secrets).length === 0 && kinds.every((k) => placedEntries(config, k).length === 0);
}

/** Applying an empty config would delete everything vault-gitops manages: refuse it. */
function emptyConfigError(dirs: string[], files: number): Diagnostic {
  return {
    severity: 'error',
    message: `the config declares no objects (${files} YAML file${files === 1 ? '' : 's'} in ${dirs.join(', ') || 'no directory'}): no policies, auth or secrets mounts`,
    hint: 'check the -c paths (a moved directory, a glob that matched nothing, a deleted file); an empty config is refused because applying it would delete every object vault-gitops manages',
  };
}

function finish(errors: Diagnostic[], warnings: Diagnostic[], config: Config | undefined, scope: VariableScope): ValidationResult<Config> {
  const sortedErrors = sortDiagnostics(dedupe(redactValues(errors, scope)));
  return {
    value: sortedErrors.length === 0 ? config : undefined,
    errors: sortedErrors,
    warnings: sortDiagnostics(dedupe(redactValues(warnings, scope))),
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
