import { describe, expect, it } from 'vitest';
import { buildAcl, capabilitiesAt } from '../../../../src/core/access/acl.js';
import { parsePolicy } from '../../../../src/core/access/policy-rules.js';
import { renderTemplatedPath, type TemplateIdentity } from '../../../../src/core/access/templating.js';

const alice: TemplateIdentity = {
  entity: { name: 'alice', metadata: { team: 'core', empty: '', glob: 'a*' } },
  groups: [{ name: 'staff', metadata: { floor: '3' } }],
};

describe('templated policy paths, rendered as Vault renders them for an entity', () => {
  it('the entity name and metadata, a group (by name) it is in and its metadata; spaces inside the braces', () => {
    expect(renderTemplatedPath('secret/data/{{identity.entity.name}}/*', alice)).toBe('secret/data/alice/*');
    expect(renderTemplatedPath('t/{{ identity.entity.metadata.team }}/{{identity.entity.name}}', alice)).toBe('t/core/alice');
    expect(renderTemplatedPath('t/x{{identity.entity.metadata.empty}}', alice)).toBe('t/x');
    expect(renderTemplatedPath('g/{{identity.groups.names.staff.name}}/{{identity.groups.names.staff.metadata.floor}}', alice)).toBe('g/staff/3');
  });

  it('left out where Vault cannot render it: no entity, an unknown key or group, ids, aliases, time, a glob in the value, unbalanced braces', () => {
    for (const path of [
      't/{{identity.entity.metadata.nope}}',
      't/{{identity.groups.names.other.name}}',
      't/{{identity.groups.names.staff}}',
      't/{{identity.entity.id}}',
      't/{{identity.entity.aliases.auth_userpass_1234.name}}',
      't/{{identity.groups.ids.abc.name}}',
      't/{{time.now}}',
      't/{{identity.entity.metadata.glob}}',
      't/{{identity.entity.name',
      't/}}{{identity.entity.name}}',
      't/{{identity.entity.name}}}}',
    ]) {
      expect(renderTemplatedPath(path, alice), path).toBeUndefined();
    }
    expect(renderTemplatedPath('t/{{identity.entity.name}}', undefined)).toBeUndefined();
    expect(renderTemplatedPath('t/{{identity.entity.name}}', { groups: [] })).toBeUndefined();
  });

  it('the ACL of an entity has the rendered rule (a glob or + pattern as written around it); without an entity it has none', () => {
    const { policy } = parsePolicy('p', 'path "secret/data/{{identity.entity.name}}/*" { capabilities = ["read"] }\npath "kv/+/{{identity.entity.name}}" { capabilities = ["list"] }\n');
    expect(capabilitiesAt(buildAcl([policy], alice), 'secret/data/alice/x')).toMatchObject({ capabilities: ['read'], decidedBy: { pattern: 'secret/data/alice/*' } });
    expect(capabilitiesAt(buildAcl([policy], alice), 'kv/data/alice').capabilities).toEqual(['list']);
    expect(capabilitiesAt(buildAcl([policy], alice), 'secret/data/bob/x').capabilities).toEqual(['deny']);
    expect(capabilitiesAt(buildAcl([policy]), 'secret/data/alice/x').capabilities).toEqual(['deny']);
  });
});
