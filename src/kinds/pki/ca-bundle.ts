import { Type } from 'typebox';
import { bundleAccess, checkPublish, publishEntries } from '../../core/plan/ca-bundles.js';
import { genericName, object, stringMap } from '../shared/fields.js';
import type { Kind } from '../kind.js';
import { placedEntries } from '../shared/support.js';

const names = (description: string) => Type.Array(Type.String({ minLength: 1 }), { uniqueItems: true, description });

const schema = object(
  {
    target: Type.String({ enum: ['configmap', 'secret'], default: 'configmap', description: 'ConfigMap (the default: a CA certificate is public) or an Opaque Secret.' }),
    name: Type.String({ minLength: 1, description: "The object's name in every namespace (default: the entry's name)." }),
    key: Type.String({ minLength: 1, default: 'ca.crt', description: 'The data key holding the PEM bundle.' }),
    labels: stringMap({ type: 'string' }, { description: 'Extra labels on every copy.' }),
    annotations: stringMap({ type: 'string' }, { description: 'Extra annotations on every copy.' }),
    namespaces: object(
      {
        names: names('These namespaces (those that exist).'),
        selector: stringMap({ type: 'string' }, { description: 'Namespaces carrying all these labels (matchLabels).' }),
        all: Type.Boolean({ description: 'Every namespace.' }),
        exclude: names('Never these (e.g. kube-system).'),
      },
      { description: 'Where: exactly one of names, selector or all; exclude always applies.' },
    ),
    sources: names('Other pki mounts of this config whose CA certificates are appended (a bundle during a CA rotation).'),
    adopt: Type.Boolean({ description: 'Take over an existing object of that name that vault-gitops did not create.' }),
  },
  { required: ['namespaces'], description: "A copy of the mount's CA certificate(s) in Kubernetes namespaces, kept current by apply and watch." },
);

/**
 * CA bundles published to Kubernetes namespaces (`secrets.<pki mount>.publish.<name>`). The copies
 * are Kubernetes objects, not Vault objects: this kind declares where the config holds them, their
 * schema, their checks and the Vault paths reading a bundle needs; it has no Vault objects of its
 * own. The copies are planned, applied and watched by src/publish/ (the plan's `ca_bundles`).
 */
export const caBundleKind: Kind = {
  name: 'ca-bundle',
  title: 'CA bundles in Kubernetes',
  phase: 3,
  sensitiveFields: [],
  securityFields: [],
  deletable: false,
  placement: {
    in: 'secrets',
    key: ['publish'],
    mountTypes: ['pki'],
    shape: 'map',
    schema,
    names: genericName(),
    description: 'pki: the CA bundle published to Kubernetes namespaces (ConfigMaps or Secrets), by entry name.',
  },
  docs: {
    summary:
      "A pki mount's CA certificate(s), published as a ConfigMap (or an Opaque Secret) into the Kubernetes namespaces the entry selects, kept current by `apply` and `watch`. The copies are Kubernetes objects, not Vault objects: plans list them under `ca_bundles`; copies in a namespace that stops matching are removed, those of an entry removed from the config are left as they are.",
    api: ['MOUNT/cert/ca', 'MOUNT/issuers', 'MOUNT/issuer/NAME'],
    example: `secrets:
  pki:
    type: pki
    root_ca: { common_name: Example Root CA }
    publish:
      example-ca:
        namespaces:
          selector: { trust: example }
          exclude: [kube-system]
`,
  },

  desired: () => [],
  readLive: async () => [],
  normalise: (settings) => settings,
  async create() {},
  async update() {},
  async delete() {},

  check(ctx) {
    const pki = new Set(Object.entries(ctx.config.secrets).filter(([, m]) => m.type === 'pki').map(([path]) => path));
    for (const e of placedEntries(ctx.config, caBundleKind)) {
      checkPublish({ [e.name]: e.value }, e.path.slice(0, -1), e.mount ?? '', pki, (at, message, hint) => {
        if (!ctx.broken(at)) ctx.error(at, message, hint, 'key');
      });
    }
  },

  access(config) {
    return { plan: publishEntries(config).flatMap(bundleAccess), apply: [] };
  },
};
