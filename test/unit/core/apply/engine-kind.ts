// A kind for the apply engine's own logic: it carries out changes through the given functions only.
import type { KindName } from '../../../../src/core/model.js';
import type { Kind } from '../../../../src/kinds/kind.js';

/** A kind that only carries out changes (`ops`), for the engine's scheduling. */
export function engineKind(name: KindName, phase: number, ops: Pick<Kind, 'create' | 'update' | 'delete'> & Partial<Kind>, writesAlone?: boolean): Kind {
  return {
    name,
    title: name,
    phase,
    writesAlone,
    sensitiveFields: [],
    securityFields: [],
    deletable: true,
    desired: () => [],
    readLive: async () => [],
    normalise: (s) => s,
    access: () => ({ plan: [], apply: [] }),
    ...ops,
  };
}
