// The credential destinations of the objects a plan creates, inspected after reading Vault and
// before any write. A destination the delivery would fail on (there and not ours without adopt,
// unreachable, forbidden, a missing bucket or namespace) is a plan error at the object's
// `credentials:`: apply then writes nothing, instead of creating the policies, mounts and the object
// itself and failing on its credential. Objects already in Vault are inspected by credential-status.ts.
import { errorMessage } from '../errors.js';
import type { Kind } from '../kind.js';
import { adoptHint } from '../common/adopt.js';
import { mapLimit } from '../common/limit.js';
import { placedEntries } from '../config/placed.js';
import { dotted } from '../config/yaml-tree.js';
import type { Address, Config, DesiredObject, Diagnostic, Plan } from '../model.js';
import type { CredentialSink, CredentialTarget, SinksPort } from '../ports.js';

export interface NewDestinationsInput {
  sinks: SinksPort;
  kinds: readonly Kind[];
  config: Config;
  desired: readonly DesiredObject[];
  plan: Plan;
  /** Destinations inspected at once. */
  concurrency: number;
}

interface Problem {
  message: string;
  hint?: string;
}

/** One destination of one new object (`sink` undefined: its sinks could not even be set up). */
interface Delivery {
  obj: DesiredObject;
  target: CredentialTarget;
  sink?: CredentialSink;
  problem?: Problem;
}

const FALLBACK_HINT = 'fix the destination or vault-gitops\' access to it, or choose another, then plan again';

/** Every destination of the objects the plan creates that would refuse their credentials: errors at their `credentials:`. */
export async function checkNewDestinations(input: NewDestinationsInput): Promise<Diagnostic[]> {
  const kinds = new Map(input.kinds.map((k) => [k.name, k]));
  const creates = new Set(input.plan.changes.filter((c) => c.action === 'create').map((c) => c.address));
  const targets = input.desired.flatMap((obj) => {
    const target = creates.has(obj.address) && kinds.get(obj.kind)?.credentials ? input.sinks.target(obj) : undefined;
    return target ? [{ obj, target }] : [];
  });
  if (targets.length === 0) return [];
  const deliveries = (await mapLimit(targets, input.concurrency, (t) => sinksOf(input.sinks, t.obj, t.target))).flat();
  const problems = await mapLimit(deliveries, input.concurrency, async (d) => d.problem ?? (d.sink ? problemAt(d.sink, d.target) : undefined));
  const paths = configPaths(input.config, kinds, targets.map((t) => t.obj));
  const out: Diagnostic[] = [];
  problems.forEach((problem, i) => {
    const { obj, sink } = deliveries[i]!;
    if (!problem) return;
    const credentials = `${paths.get(obj.address) ?? obj.address}.credentials`;
    const path = sink ? `${credentials}.${sink.type}` : credentials;
    out.push({
      severity: 'error',
      pos: input.config.sources.get(path) ?? input.config.sources.get(credentials) ?? obj.source,
      path,
      message: `${problem.message}; ${obj.address} is not in Vault yet, and creating it would leave its credentials undelivered`,
      hint: problem.hint ?? FALLBACK_HINT,
    });
  });
  return out;
}

async function sinksOf(sinks: SinksPort, obj: DesiredObject, target: CredentialTarget): Promise<Delivery[]> {
  try {
    return (await sinks.for(target.spec)).map((sink) => ({ obj, target, sink }));
  } catch (err) {
    return [{ obj, target, problem: problemOf(err) }];
  }
}

/** What would make the delivery fail, read as the write would read it: one inspection, plus what inspect cannot see of a destination not there yet. */
async function problemAt(sink: CredentialSink, target: CredentialTarget): Promise<Problem | undefined> {
  try {
    const found = await sink.inspect(target);
    if (!found.exists) await sink.checkCreatable?.(target);
    else if (!found.owned && target.spec[sink.type]?.adopt !== true) {
      return { message: `${sink.describe(target)}: exists and was not written by vault-gitops`, hint: adoptHint(sink.type) };
    }
    return undefined;
  } catch (err) {
    return problemOf(err);
  }
}

/** A sink's one-line error, with its hint (`message — hint`) taken apart for the diagnostic. */
function problemOf(err: unknown): Problem {
  const message = errorMessage(err);
  const hint = (err as { hint?: unknown } | undefined)?.hint;
  if (typeof hint === 'string' && hint !== '' && message.endsWith(` — ${hint}`)) return { message: message.slice(0, -` — ${hint}`.length), hint };
  return { message };
}

/** The config path of each object (`auth.approle.roles.web`), for the position of its `credentials:`. */
function configPaths(config: Config, kinds: ReadonlyMap<string, Kind>, objects: readonly DesiredObject[]): Map<Address, string> {
  const out = new Map<Address, string>();
  for (const kind of new Set(objects.map((o) => kinds.get(o.kind)!))) {
    for (const entry of placedEntries(config, kind)) out.set(entry.address, dotted(entry.path));
  }
  return out;
}
