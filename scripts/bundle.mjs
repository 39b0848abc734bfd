// Build step (npm run build): bundles the compiled CLI (dist/src) into dist/bin, the `vault-gitops`
// command. Node resolves and evaluates each ES module separately, and the CLI's ~450 modules (most of
// them typebox's) cost about 0.25 s at every start; one file per command loads in a fraction of that.
// Commands stay lazy (code splitting). Packages the CLI loads through `require` at run time (node-vault
// with its injected transport, ajv for a schema edited after the build, diff, generate-password) and the
// Kubernetes client (only for Kubernetes sinks) and the AWS S3 client (only for S3 sinks) stay in node_modules.
import { copyFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist/bin');
rmSync(out, { recursive: true, force: true });
await build({
  entryPoints: { 'vault-gitops': join(root, 'dist/src/cli/main.js') },
  outdir: out,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['node-vault', '@kubernetes/client-node', '@aws-sdk/client-s3', 'ajv', 'diff', 'generate-password'],
  // CommonJS packages inside an ES module bundle call `require` for Node's built-ins.
  banner: { js: "import { createRequire as __vgCreateRequire } from 'node:module'; const require = __vgCreateRequire(import.meta.url);" },
  logLevel: 'warning',
  legalComments: 'eof',
  // Not linked from the code (Node would not read them without --enable-source-maps): the bench's CPU
  // profile summary uses them to tell which module a sample's function came from.
  sourcemap: 'external',
  sourcesContent: false,
});
// The precompiled schema validator is required next to the module that loads it (src/core/check/schema-validator.ts).
copyFileSync(join(root, 'dist/src/core/check/config-validator.generated.cjs'), join(out, 'config-validator.generated.cjs'));
