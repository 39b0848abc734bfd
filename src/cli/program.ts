import { Command, CommanderError, Option } from 'commander';
import { TOOL_VERSION } from '../core/version.js';
import { reportError } from './errors.js';
import { interruptedExitCode } from './interrupt.js';
import { outputOption, withConfigOptions, withLockOptions, withStateOption, withVaultOptions, type VaultCommandFlags } from './options.js';
import { terminalOutput } from './output.js';

/** Builds the commander program. Command modules are imported lazily so `--version` and `validate` start fast. */
export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('vault-gitops')
    .description('Keep Vault configuration in git: validate, plan and apply YAML against a live Vault.')
    .version(TOOL_VERSION, '-V, --version')
    .showHelpAfterError()
    .exitOverride();

  const action =
    <F extends VaultCommandFlags>(load: () => Promise<(flags: F, io: ReturnType<typeof terminalOutput>) => number | Promise<number>>) =>
    async (flags: F) => {
      const io = terminalOutput(flags);
      try {
        setExit(await (await load())(flags, io));
      } catch (err) {
        setExit(reportError(err, io));
      }
      // A run stopped by SIGINT/SIGTERM exits 128 + the signal's number, whatever it returned.
      const interrupted = interruptedExitCode();
      if (interrupted !== undefined) setExit(interrupted);
    };

  withConfigOptions(program.command('validate'))
    .description('check the configuration offline (YAML, schema, variables, references, policy HCL); exit 0 or 1')
    .action(action(async () => (await import('./validate.js')).validateCommand));

  withStateOption(withConfigOptions(program.command('policy-for')))
    .description('print the Vault ACL policy (HCL) vault-gitops\'s own token needs for this config; offline')
    .addOption(new Option('--mode <mode>', 'what the token may do').choices(['plan', 'apply']).default('plan'))
    .option('--s3', 'print instead the AWS IAM policy (JSON) for the config\'s S3 credential sinks')
    .action(action(async () => (await import('./policy-for.js')).policyForCommand));

  withVaultOptions(program.command('access'))
    .description('who holds which capability on a path, or what one principal holds (policies and rules): from the config (offline), a snapshot or the live Vault')
    .option('--path <path>', 'a request path, e.g. secret/data/app/db: every principal holding a capability there')
    .addOption(new Option('--op <operation>', 'with --path: only principals allowed this operation').choices(['create', 'read', 'update', 'patch', 'delete', 'list', 'sudo']))
    .option('--principal <address>', 'a principal by its plan address, e.g. auth/approle/roles/app or identity/groups/ops')
    .option('--against <snapshot>', 'answer for the live state in a file written by `snapshot` (instead of -c)')
    .option('--live', 'answer for the live Vault (VAULT_ADDR, with a token that may read its configuration) instead of -c')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(action(async () => (await import('./access.js')).accessCommand));

  withStateOption(withVaultOptions(program.command('plan')))
    .description('show what apply would change in Vault')
    .addOption(outputOption())
    .option('--detailed-exitcode', 'exit 0 when there are no changes, 2 when there are, 1 on error')
    .addOption(new Option('--fail-on <findings>', 'exit 3 when the plan has privileged access changes, or any access change (after printing it): a CI asks for a second reviewer').choices(['privileged', 'access']))
    .option('--out <file>', 'also save the plan (mode 0600, no secrets) for `apply FILE`')
    .option('--against <snapshot>', 'plan offline against a file written by `snapshot` (no network, no token)')
    .option('--rewrite-secrets', 'write once every declared write-only value (client secret, reviewer JWT, database password) vault-gitops has no record of writing: after adopting objects, whose live secret nobody can compare')
    .option('--target <KIND/NAME>', 'plan only these objects, reading only them: KIND/NAME or an address, * and ? as wildcards (repeatable), e.g. policy/payments-*', (v: string, prev: string[] = []) => [...prev, v])
    .option('--tenants <dir>', 'also plan every tenant directory in DIR, each in the namespace its `namespace:` names, side by side (JSON: schemas/tenants-plan.schema.json)')
    .action(action(async () => (await import('./plan.js')).planCommand));

  withLockOptions(withStateOption(withVaultOptions(program.command('rotate'))))
    .description('re-issue delivered credentials now (all, or --select ADDRESS…), changing nothing else; takes the state lock like apply')
    .option('--select <address>', 'only this object, e.g. auth/approle/roles/payments-prod (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--tenants <dir>', 'also rotate in every tenant directory in DIR, each in its namespace under its own state lock, side by side (--select picks among all of them)')
    .action(action(async () => (await import('./rotate.js')).rotateCommand));

  withVaultOptions(program.command('export'))
    .description('read a live Vault and write config in this format (policies as .hcl files, defaults left out)')
    .option('--out <dir>', 'where to write it', 'exported')
    .option('--kinds <list>', 'only these kinds, comma-separated (the `kind` of plan --output json: policy, auth-mount, pki-role, ...; an unknown name lists them all)')
    .option('--tenants <dir>', 'also export every namespace beneath this one, each into DIR/<namespace path, URL-encoded>/ with its `namespace:` (OpenBao, Vault Enterprise)')
    .action(action(async () => (await import('./export.js')).exportCommand));

  withStateOption(withVaultOptions(program.command('snapshot')))
    .description('write the live state (no secrets) to a file, for `plan --against FILE` offline')
    .requiredOption('--out <file>', 'where to write it (mode 0600)')
    .option('--tenants <dir>', 'also snapshot every namespace beneath this one, each into DIR/<namespace path, URL-encoded>.json, for `plan -c TENANT --against` it (OpenBao, Vault Enterprise)')
    .action(action(async () => (await import('./snapshot.js')).snapshotCommand));

  withLockOptions(withStateOption(withVaultOptions(program.command('apply'))))
    .description('make Vault match the configuration (or apply exactly a plan saved with `plan --out`)')
    .argument('[plan-file]', 'a plan saved by `plan --out`: applied only if nothing changed since (no confirmation asked)')
    .option('--auto-approve', 'do not ask for confirmation')
    .option('--allow-destroy', 'apply a destructive plan: one that deletes a secrets or auth mount, a PKI CA, or many objects at once')
    .option('--rewrite-secrets', 'write once every declared write-only value (client secret, reviewer JWT, database password) vault-gitops has no record of writing: after adopting objects, whose live secret nobody can compare')
    .option('--tenants <dir>', 'also apply every tenant directory in DIR, each in its namespace under its own state lock, side by side (needs --auto-approve)')
    .action((planFile: string | undefined, flags: VaultCommandFlags) =>
      action(async () => (await import('./apply.js')).applyCommand)({ ...flags, planFile }),
    );

  withStateOption(withVaultOptions(program.command('drift')))
    .description('detect drift for a schedule: exit 0 in sync, 2 drifted, 1 error; classifies each finding')
    .addOption(outputOption())
    .option('--tenants <dir>', 'also check every tenant directory in DIR, each in the namespace its `namespace:` names, side by side (JSON: schemas/tenants-drift.schema.json)')
    .action(action(async () => (await import('./drift.js')).driftCommand));

  withVaultOptions(program.command('watch'))
    .description('keep the config\'s CA bundles published in every matching Kubernetes namespace until SIGTERM (for a Deployment)')
    .option('--interval <duration>', 're-read the CA from Vault and check every namespace this often', '60s')
    .option('--port <port>', 'serve /healthz, /readyz and /metrics (Prometheus text) on this port')
    .option('--listen <address>', 'address for --port', '0.0.0.0')
    .action(action(async () => (await import('./watch.js')).watchCommand));

  withStateOption(withVaultOptions(program.command('force-unlock')))
    .description('remove the state lock with this ID (printed by the run that waited for it); only when its run is dead')
    .argument('<id>', 'the lock ID')
    .option('--force', 'remove it even though its holder still renews it (that run then fails at its next state write)')
    .action((id: string, flags: VaultCommandFlags) =>
      action(async () => (await import('./force-unlock.js')).forceUnlockCommand)({ ...flags, lockId: id }),
    );

  return program;
}

export async function run(argv: string[]): Promise<number> {
  let code = 0;
  const program = buildProgram((c) => (code = c));
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 1;
    throw err;
  }
  return code;
}
