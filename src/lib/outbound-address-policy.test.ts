import assert from 'node:assert/strict';
import type { LookupAddress } from 'node:dns';
import { describe, test } from 'node:test';
import { OutboundAddressPolicy, parseCidr, type Cidr } from './outbound-address-policy.js';

const cidrs = (...texts: string[]): Cidr[] => texts.map((t) => parseCidr(t)!);
const byDefault = new OutboundAddressPolicy({ allowCidrs: [], denyCidrs: [] });

describe('outbound address policy', () => {
  test('parses CIDRs and bare addresses, and rejects anything else', () => {
    assert.deepEqual(parseCidr(' 10.0.0.0/8 '), { address: '10.0.0.0', prefix: 8, family: 'ipv4' });
    assert.deepEqual(parseCidr('::1'), { address: '::1', prefix: 128, family: 'ipv6' });
    for (const bad of ['', '10.0.0.0/33', '::/129', 'example.com/8', '10.0.0.0/8/8', '10.0.0.0/-1', '10.0.0.0/']) {
      assert.equal(parseCidr(bad), null, bad);
    }
  });

  test('refuses loopback, unspecified, link-local and metadata addresses, in every IPv6 form', () => {
    const refused = [
      '127.0.0.1', '127.255.0.9', '0.0.0.0', '0.1.2.3', '169.254.169.254', '169.254.0.1', '168.63.129.16',
      '100.100.100.200', '::1', '::', 'fe80::1', 'fe80::1%eth0', 'febf::1', 'fd00:ec2::254',
      '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:0:7f00:1', '::7f00:1', '::169.254.169.254',
      '64:ff9b::7f00:1', '64:ff9b::169.254.169.254', '64:ff9b:1::a9fe:a9fe', '0:0:0:0:0:ffff:a9fe:a9fe',
    ];
    for (const address of refused) assert.equal(byDefault.refuses(address), true, address);
  });

  test('lets public and private LAN addresses through unless denied', () => {
    const allowed = ['93.184.216.34', '10.1.2.3', '172.16.0.1', '192.168.1.10', 'fd12::1', '2606:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808', 'fec0::1'];
    for (const address of allowed) assert.equal(byDefault.refuses(address), false, address);
    const lanDenied = new OutboundAddressPolicy({ allowCidrs: [], denyCidrs: cidrs('10.0.0.0/8', 'fc00::/7') });
    assert.equal(lanDenied.refuses('10.1.2.3'), true);
    assert.equal(lanDenied.refuses('::ffff:10.1.2.3'), true);
    assert.equal(lanDenied.refuses('fd12::1'), true);
    assert.equal(lanDenied.refuses('192.168.1.10'), false);
  });

  test('the allow-list wins, for the IPv4 address and its IPv6 forms', () => {
    const loopback = new OutboundAddressPolicy({ allowCidrs: cidrs('127.0.0.0/8'), denyCidrs: [] });
    assert.equal(loopback.refuses('127.0.0.1'), false);
    assert.equal(loopback.refuses('::ffff:127.0.0.1'), false);
    assert.equal(loopback.refuses('::1'), true, 'IPv6 loopback is a separate range');
    assert.equal(loopback.refuses('169.254.169.254'), true);
    const narrow = new OutboundAddressPolicy({ allowCidrs: cidrs('10.9.9.9'), denyCidrs: cidrs('10.0.0.0/8') });
    assert.equal(narrow.refuses('10.9.9.9'), false);
    assert.equal(narrow.refuses('10.9.9.8'), true);
  });

  test('URLs naming a refused address in any notation are caught before resolving', () => {
    const literal = [
      'http://2130706433/', 'http://0x7f.1/', 'http://0177.0.0.1/', 'http://127.1/', 'http://127.0.0.1./',
      'http://0/', 'http://[::ffff:127.0.0.1]/', 'http://[::]:8080/', 'https://[fd00:ec2::254]/latest',
      'http://169.254.169.254/latest/meta-data/', 'http://[64:ff9b::a9fe:a9fe]/',
    ];
    for (const url of literal) assert.notEqual(byDefault.refusedLiteral(new URL(url)), null, url);
    for (const url of ['http://localhost/', 'http://example.com/', 'http://10.0.0.1/', 'http://[2606:4700::1111]/']) {
      assert.equal(byDefault.refusedLiteral(new URL(url)), null, url);
    }
  });

  test('lookup keeps only allowed addresses and fails when none is left', async () => {
    const resolve = (policy: OutboundAddressPolicy, all: boolean) =>
      new Promise<{ err: NodeJS.ErrnoException | null; address: string | LookupAddress[] }>((done) =>
        policy.lookup('localhost', { all }, (err, address) => done({ err, address })),
      );
    const refused = await resolve(byDefault, true);
    assert.equal((refused.err as { code?: string }).code, 'ERR_OUTBOUND_ADDRESS_REFUSED');
    const allowed = new OutboundAddressPolicy({ allowCidrs: cidrs('127.0.0.0/8', '::1'), denyCidrs: [] });
    const all = await resolve(allowed, true);
    assert.equal(all.err, null);
    assert.ok(Array.isArray(all.address) && all.address.length > 0);
    const one = await resolve(allowed, false);
    assert.equal(one.err, null);
    assert.match(one.address as string, /^(127\.|::1$)/);
  });
});
