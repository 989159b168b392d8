import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/** An address range, as in `127.0.0.0/8` or `::1/128`. */
export interface Cidr {
  address: string;
  prefix: number;
  family: 'ipv4' | 'ipv6';
}

/**
 * Parses `address/prefix` or a bare address (a range of one); null when malformed.
 * @example parseCidr('10.0.0.0/8') // { address: '10.0.0.0', prefix: 8, family: 'ipv4' }
 */
export function parseCidr(text: string): Cidr | null {
  const [address = '', prefixText, ...rest] = text.trim().split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return null;
  const bits = version === 4 ? 32 : 128;
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return null;
  const prefix = prefixText === undefined ? bits : Number(prefixText);
  if (prefix > bits) return null;
  return { address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}

/**
 * Refused unless allowed: loopback, unspecified and link-local addresses, and the cloud metadata
 * endpoints (AWS, GCP, Azure, Oracle at 169.254.169.254; AWS IPv6 fd00:ec2::254; Azure's
 * WireServer 168.63.129.16; Alibaba 100.100.100.200). Private LAN ranges are not in this list:
 * self-hosted servers fetch from them (docs/security/outbound.md).
 */
const ALWAYS_REFUSED: readonly string[] = [
  '0.0.0.0/8',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '168.63.129.16/32',
  '100.100.100.200/32',
  '::/128',
  '::1/128',
  'fe80::/10',
  'fd00:ec2::254/128',
];

/** The eight 16-bit groups of a valid IPv6 address (zone id dropped). */
function ipv6Groups(address: string): number[] {
  let text = address.split('%')[0]!;
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const zeros = tail === undefined ? [] : Array<string>(8 - headGroups.length - tailGroups.length).fill('0');
  return [...headGroups, ...zeros, ...tailGroups].map((g) => parseInt(g, 16));
}

/**
 * The IPv4 address an IPv6 address carries and reaches, if any: IPv4-mapped (`::ffff:a.b.c.d`),
 * IPv4-translated (`::ffff:0:a.b.c.d`), IPv4-compatible (`::a.b.c.d`) and NAT64 (`64:ff9b::/96`,
 * and the local-use `64:ff9b:1::/48` with the address in its last 32 bits).
 */
function embeddedIpv4(address: string): string | null {
  const g = ipv6Groups(address);
  const zero = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  const embedded =
    (zero(0, 5) && g[5] === 0xffff) ||
    (zero(0, 4) && g[4] === 0xffff && g[5] === 0) ||
    (zero(0, 6) && (g[6] !== 0 || g[7]! > 1)) ||
    (g[0] === 0x64 && g[1] === 0xff9b && (zero(2, 6) || g[2] === 1));
  if (!embedded) return null;
  return [g[6]! >> 8, g[6]! & 0xff, g[7]! >> 8, g[7]! & 0xff].join('.');
}

function blockList(cidrs: readonly Cidr[]): BlockList {
  const list = new BlockList();
  for (const c of cidrs) list.addSubnet(c.address, c.prefix, c.family);
  return list;
}

/** An outbound connection to a refused address; the message names it, so it is for the log only. */
export class OutboundAddressRefusedError extends Error {
  override name = 'OutboundAddressRefusedError';
  readonly code = 'ERR_OUTBOUND_ADDRESS_REFUSED';
}

/**
 * Decides which addresses `audio_url` downloads and webhook deliveries may connect to.
 * An address is refused when any of its forms (itself, and the IPv4 address an IPv6 form
 * carries) is in the refused ranges and none is in the allowed ranges: the allow-list wins.
 * @example
 * const policy = new OutboundAddressPolicy({ allowCidrs: [], denyCidrs: [] });
 * policy.refuses('::ffff:127.0.0.1') // true
 */
export class OutboundAddressPolicy {
  private readonly allowed: BlockList;
  private readonly refused: BlockList;

  constructor(settings: { allowCidrs: readonly Cidr[]; denyCidrs: readonly Cidr[] }) {
    this.allowed = blockList(settings.allowCidrs);
    this.refused = blockList([...ALWAYS_REFUSED.map((c) => parseCidr(c)!), ...settings.denyCidrs]);
  }

  /** Whether a connection to `address` (an IP in any notation `net.isIP` accepts) is refused. */
  refuses(address: string): boolean {
    const forms = isIP(address) === 6 ? [address.split('%')[0]!, embeddedIpv4(address)] : [address];
    const check = (list: BlockList) =>
      forms.some((f) => f !== null && list.check(f, isIP(f) === 4 ? 'ipv4' : 'ipv6'));
    return check(this.refused) && !check(this.allowed);
  }

  /**
   * The refused address a URL names literally, or null when it names an allowed address or a
   * host name (names are checked by {@link lookup} once resolved). `URL` has already turned
   * `2130706433`, `0x7f.1` and `[::ffff:127.0.0.1]` into canonical form.
   */
  refusedLiteral(url: URL): string | null {
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    return isIP(host) !== 0 && this.refuses(host) ? host : null;
  }

  /**
   * A `lookup` for `http.request`: resolves the name and keeps only the allowed addresses, so the
   * connection goes to an address that was checked, whatever the DNS answers next time
   * (rebinding). Fails with {@link OutboundAddressRefusedError} when none is allowed.
   */
  readonly lookup: LookupFunction = (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '');
      const usable = addresses.filter((a) => !this.refuses(a.address));
      const first = usable[0];
      if (!first) {
        const list = addresses.map((a) => a.address).join(', ');
        return callback(new OutboundAddressRefusedError(`${hostname} resolves only to refused addresses (${list})`), '');
      }
      if (options.all) callback(null, usable);
      else callback(null, first.address, first.family);
    });
  };
}
