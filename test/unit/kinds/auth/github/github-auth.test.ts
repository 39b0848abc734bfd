import { describe, expect, it } from 'vitest';
import { githubAuthConfigKind, organizationIdHint } from '../../../../../src/kinds/auth/github/github-auth-config.js';
import { githubMapNameProblem, githubTeamMapKind } from '../../../../../src/kinds/auth/github/github-map.js';

describe('github auth config normalisation', () => {
  it('base_url gains the trailing slash Vault stores; organization stays one name; organization_id a number', () => {
    expect(githubAuthConfigKind.normalise({ organization: ' acme ', organization_id: '42', base_url: 'https://ghe/api/v3' })).toEqual({
      organization: 'acme',
      organization_id: 42,
      base_url: 'https://ghe/api/v3/',
    });
  });

  it('a missing organization_id is explained with where to find it', () => {
    const h = organizationIdHint('my org');
    expect(h.message).toContain('Vault looks it up from the GitHub API');
    expect(h.hint).toContain('https://api.github.com/orgs/my%20org');
  });
});

describe('github maps', () => {
  it('policies are a set, from a list or a comma string', () => {
    expect(githubTeamMapKind.normalise({ policies: 'b, a,b' })).toEqual({ policies: ['a', 'b'] });
    expect(githubTeamMapKind.normalise({ policies: ['b', 'a'] })).toEqual({ policies: ['a', 'b'] });
  });

  it('names: Vault route characters only, lower-case', () => {
    expect(githubMapNameProblem('site-reliability')).toBeUndefined();
    expect(githubMapNameProblem('bot_1')).toBeUndefined();
    expect(githubMapNameProblem('Engineering')?.message).toContain('read back as `engineering`');
    expect(githubMapNameProblem('eng.team')?.message).toContain('letters, digits, `_` and `-` only');
  });
});
