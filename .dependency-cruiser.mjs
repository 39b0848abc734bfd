// Layer direction and import cycles in src/ (issue 11, docs in docs/development.md "Architecture").
// Floors, top to bottom; an import may only point down (or stay on its floor):
//   cli → render → kinds, credentials, publish → adapters → core
// and inside core, the stages: contracts ← common ← config ← check ← access ← plan ← apply ← state ← export
// Type-only imports count: core must not even name an upper floor's types (it declares ports).
// Run by `npm run lint` (so by scripts/test.sh); test/unit/layers.test.ts proves each rule fires.

const FLOORS = ['core', 'adapters', 'kinds|credentials|publish', 'render', 'cli'];

/** One rule per floor: nothing on it imports a floor above it. */
const upward = FLOORS.slice(0, -1).map((floor, i) => ({
  name: `no-upward-from-${floor.replaceAll('|', '-')}`,
  comment: `src/{${floor}} sits below src/{${FLOORS.slice(i + 1).join('|')}}: it may not import them (declare a port in core/ports.ts and have the upper floor pass it in)`,
  severity: 'error',
  from: { path: `^src/(${floor})/` },
  to: { path: `^src/(${FLOORS.slice(i + 1).join('|')})/` },
}));

// Inside core, the folders are the pipeline's stages, earliest first; a stage may import an earlier
// one (and core's top-level contracts: kind.ts, ports.ts, model.ts, errors.ts, …), never a later one.
// The contracts import no stage at all.
export const CORE_STAGES = ['common', 'config', 'check', 'access', 'plan', 'apply', 'state', 'export'];

const stageOrder = CORE_STAGES.slice(0, -1).map((stage, i) => ({
  name: `no-later-stage-from-core-${stage}`,
  comment: `src/core/${stage}/ comes before src/core/{${CORE_STAGES.slice(i + 1).join('|')}}/ in the pipeline: it may not import them (move the shared piece down to the earliest stage that needs it)`,
  severity: 'error',
  from: { path: `^src/core/${stage}/` },
  to: { path: `^src/core/(${CORE_STAGES.slice(i + 1).join('|')})/` },
}));

export default {
  forbidden: [
    ...upward,
    ...stageOrder,
    {
      name: 'no-stage-from-core-contracts',
      comment: "core's top-level files are the contracts every stage sees (kind.ts, ports.ts, model.ts, errors.ts, …): they import no stage folder",
      severity: 'error',
      from: { path: '^src/core/[^/]+[.]ts$' },
      to: { path: '^src/core/[^/]+/' },
    },
    {
      name: 'no-unknown-core-folder',
      comment: `every folder of src/core is a stage named in CORE_STAGES (${CORE_STAGES.join(', ')}), so the order above covers it`,
      severity: 'error',
      from: { path: `^src/core/(?!(${CORE_STAGES.join('|')})/)[^/]+/` },
      to: {},
    },
    {
      name: 'no-cycles',
      comment: 'no import cycle anywhere in src/ (type-only imports included)',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'no-unresolvable',
      comment: 'every relative import must resolve, or the rules above would not see it',
      severity: 'error',
      from: { path: '^src/' },
      to: { couldNotResolve: true },
    },
    {
      name: 'no-outside-src',
      comment: 'src/ never imports tests, benchmarks or scripts',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(test|bench|scripts)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    // `./x.js` in a TypeScript source names `./x.ts` (NodeNext): dependency-cruiser resolves it so.
    tsConfig: { fileName: 'tsconfig.json' },
    // ESM-only packages (typebox) resolve through their `import` export condition, as Node does.
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'node', 'default'], mainFields: ['module', 'main'] },
  },
};
