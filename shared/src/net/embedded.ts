import ipaddr from 'ipaddr.js';

/** The IPv6 forms that carry an IPv4 address inside them. */
export type EmbeddingForm =
  'ipv4Mapped' | 'ipv4Compatible' | 'rfc6145' | 'nat64' | 'nat64Local' | '6to4' | 'teredo' | 'isatap';

/** An IPv6 address that carries IPv4 addresses, as every allow, deny and range check must see it. */
export interface EmbeddedIPv4 {
  readonly form: EmbeddingForm;
  /**
   * The IPv4 host that traffic to the IPv6 address is delivered to (by the socket itself, a translator or a
   * tunnel), when the form fixes one. Allow lists and the range check judge the address as this host.
   */
  readonly destination?: ipaddr.IPv4;
  /** Every IPv4 address the form can carry, destination first; deny lists refuse the address if any is denied. */
  readonly carried: readonly ipaddr.IPv4[];
}

/** Where a form keeps its destination IPv4 address, so a list entry in that form can be read as an IPv4 block. */
export interface DestinationLayout {
  readonly form: EmbeddingForm;
  /** The form's own prefix length: an entry shorter than this is not inside the form. */
  readonly formPrefix: number;
  /** The bit where the destination's 32 bits begin. */
  readonly start: number;
}

const MAPPED = ipaddr.IPv6.parseCIDR('::ffff:0:0/96');
// RFC 4291 §2.5.5.1, deprecated; `::` and `::1` share the block but are not IPv4 addresses.
const COMPATIBLE = ipaddr.IPv6.parseCIDR('::/96');
// RFC 6145 (SIIT) IPv4-translated addresses.
const TRANSLATED = ipaddr.IPv6.parseCIDR('::ffff:0:0:0/96');
const NAT64_WELL_KNOWN = ipaddr.IPv6.parseCIDR('64:ff9b::/96');
// RFC 8215: a local-use NAT64 network may pick any RFC 6052 prefix length inside it, so the IPv4 address
// can sit in any of the places RFC 6052 §2.2 defines; none of them can be trusted to be the only one.
const NAT64_LOCAL = ipaddr.IPv6.parseCIDR('64:ff9b:1::/48');
const SIX_TO_FOUR = ipaddr.IPv6.parseCIDR('2002::/16');
const TEREDO = ipaddr.IPv6.parseCIDR('2001::/32');

const LAYOUTS: readonly DestinationLayout[] = [
  { form: 'ipv4Mapped', formPrefix: 96, start: 96 },
  { form: 'ipv4Compatible', formPrefix: 96, start: 96 },
  { form: 'rfc6145', formPrefix: 96, start: 96 },
  { form: 'nat64', formPrefix: 96, start: 96 },
  { form: '6to4', formPrefix: 16, start: 16 },
  { form: 'teredo', formPrefix: 32, start: 96 },
];

/** The IPv4 addresses an IPv6 address carries, or `undefined` for an address that carries none. */
export function embeddedIPv4(address: ipaddr.IPv6): EmbeddedIPv4 | undefined {
  const bytes = address.toByteArray();
  const at = (offset: number): ipaddr.IPv4 => ipv4(bytes.slice(offset, offset + 4));
  if (address.match(MAPPED)) return withDestination('ipv4Mapped', at(12));
  if (address.match(TRANSLATED)) return withDestination('rfc6145', at(12));
  if (address.match(NAT64_WELL_KNOWN)) return withDestination('nat64', at(12));
  if (address.match(COMPATIBLE)) {
    const low = at(12).toString();
    return low === '0.0.0.0' || low === '0.0.0.1' ? undefined : withDestination('ipv4Compatible', at(12));
  }
  if (address.match(NAT64_LOCAL)) {
    // RFC 6052 §2.2 layouts for /48, /56, /64 and /96 prefixes; bits 64–71 (the "u" octet) are always skipped.
    const carried = [
      [6, 7, 9, 10],
      [7, 9, 10, 11],
      [9, 10, 11, 12],
      [12, 13, 14, 15],
    ].map((offsets) => ipv4(offsets.map((offset) => bytes[offset] ?? 0)));
    return { form: 'nat64Local', carried };
  }
  if (address.match(SIX_TO_FOUR)) return withDestination('6to4', at(2));
  if (address.match(TEREDO)) {
    // RFC 4380 §4: the client's public address is stored inverted; the server's address is stored as is.
    const client = ipv4(bytes.slice(12, 16).map((byte) => byte ^ 0xff));
    return { form: 'teredo', destination: client, carried: [client, at(4)] };
  }
  // RFC 5214 §6.1 ISATAP interface identifier [02]00:5efe:a.b.c.d, under any /64 prefix. The prefix decides
  // where packets are routed, but inside the ISATAP site they go to that IPv4 address.
  const [, , , , high = 0, marker = 0] = address.parts;
  if (marker === 0x5efe && (high & 0xfcff) === 0) return { form: 'isatap', carried: [at(12)] };
  return undefined;
}

/** The layout of the form a list entry lies in, when that form has a fixed destination IPv4 address. */
export function destinationLayout(address: ipaddr.IPv6): DestinationLayout | undefined {
  const form = embeddedIPv4(address)?.form;
  return LAYOUTS.find((layout) => layout.form === form);
}

/** The IPv4 block a block written in an embedding form stands for; `undefined` if it pins none of its bits. */
export function destinationBlock(
  network: ipaddr.IPv6,
  prefixLength: number,
): { readonly network: ipaddr.IPv4; readonly prefixLength: number } | undefined {
  const layout = destinationLayout(network);
  const destination = embeddedIPv4(network)?.destination;
  if (layout === undefined || destination === undefined || prefixLength <= layout.start) return undefined;
  return { network: destination, prefixLength: Math.min(32, prefixLength - layout.start) };
}

function withDestination(form: EmbeddingForm, destination: ipaddr.IPv4): EmbeddedIPv4 {
  return { form, destination, carried: [destination] };
}

function ipv4(bytes: readonly number[]): ipaddr.IPv4 {
  return new ipaddr.IPv4(bytes.map((byte) => byte & 0xff));
}
