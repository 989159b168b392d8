import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export function hmacHex(secret: Buffer, value: string): string {
  return createHmac('sha256', secret).update(value).digest('hex');
}

/** Constant-time comparison of two hex digests. */
export function sameDigest(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

/** Crockford-style base32 without padding, as in Soniox's `temp:` keys. */
export function randomKey(bytes = 20): string {
  const alphabet = 'ABCDEFGHJKMNPQRSTVWXYZ0123456789';
  const raw = randomBytes(bytes);
  let out = '';
  for (const byte of raw) out += alphabet[byte % alphabet.length];
  return out;
}
