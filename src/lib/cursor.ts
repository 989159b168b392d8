/**
 * Opaque keyset cursors for list endpoints. A cursor names the sort key of the
 * last item returned, so it stays valid while items are deleted during paging.
 */

export function encodeCursor(kind: string, after: number): string {
  return Buffer.from(`${kind}:${after}`, 'utf8').toString('base64url');
}

/** Returns the sort key, or null when the cursor was not produced for `kind`. */
export function decodeCursor(kind: string, cursor: string): number | null {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) return null;
  const match = /^([a-z]+):(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match || match[1] !== kind) return null;
  return Number(match[2]);
}
