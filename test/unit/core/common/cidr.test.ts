import { describe, expect, it } from 'vitest';
import { parseCidr } from '../../../../src/core/common/cidr.js';
import { canonicalCidr } from '../../../../src/kinds/shared/normalise.js';

describe('parseCidr: bound CIDRs as Vault parses them', () => {
  it.each([
    ['10.0.0.0/8', '10.0.0.0/8'],
    ['10.0.0.1/32', '10.0.0.1'],
    ['0.0.0.0/0', '0.0.0.0/0'],
    ['::1/128', '::1'],
    ['2001:DB8:0:0::/32', '2001:db8::/32'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:db8::1.2.3.4', '2001:db8::102:304'],
    [' 192.168.1.0/24 ', '192.168.1.0/24'],
  ])('accepts %s as %s', (input, canonical) => {
    expect(parseCidr(input)).toMatchObject({ ok: true, canonical, hostBits: false });
  });

  it.each([
    ['10.0.0.0/33', 'has prefix length /33: it must be 0 to 32 for an IPv4 address'],
    ['2001:db8::/129', 'has prefix length /129: it must be 0 to 128 for an IPv6 address'],
    ['10.0.0.0/-1', 'has prefix length /-1: it must be 0 to 32 for an IPv4 address'],
    ['garbage', 'is not an IPv4 or IPv6 address'],
    ['/var/run/vault.sock', 'is not an IPv4 or IPv6 address'],
    ['10.0.0.1:8200', 'is not an IPv4 or IPv6 address'],
    ['256.0.0.1', 'is not an IPv4 address (octets are 0-255, without leading zeros)'],
    ['010.0.0.1', 'is not an IPv4 address (octets are 0-255, without leading zeros)'],
    ['fe80::1%eth0', 'is not an IPv4 or IPv6 address'],
    ['1::2:3:4:5:6:7:8', 'is not an IPv4 or IPv6 address'],
    ['::ffff:10.0.0.1', 'is an IPv4-mapped IPv6 address: write the IPv4 form (Vault stores it as IPv4)'],
    ['', 'is empty'],
  ])('refuses %j', (input, problem) => {
    expect(parseCidr(input)).toEqual({ ok: false, problem });
  });

  it('keeps host bits as Vault does, and names the network', () => {
    expect(parseCidr('10.0.0.1/8')).toEqual({ ok: true, canonical: '10.0.0.1/8', hostBits: true, network: '10.0.0.0/8' });
    expect(parseCidr('2001:db8::1/32')).toMatchObject({ hostBits: true, network: '2001:db8::/32' });
  });

  it('normalises IPv6 the way Vault prints it, so plans compare equal', () => {
    expect(canonicalCidr('2001:DB8:0:0::/32')).toBe(canonicalCidr('2001:db8::/32'));
  });
});
