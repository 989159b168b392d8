import { errors } from '../api/errors.js';
import { decodeCursor, encodeCursor } from '../lib/cursor.js';
import type { ListQuery, Page } from '../storage/ports.js';

export const DEFAULT_LIST_LIMIT = 1000;

/** Turns the wire's limit and cursor into a keyset query. An empty cursor means the first page. */
export function toListQuery(kind: string, limit: number | undefined, cursor: string | undefined): ListQuery {
  if (cursor === undefined || cursor === '') return { limit: limit ?? DEFAULT_LIST_LIMIT, after: null };
  const after = decodeCursor(kind, cursor);
  if (after === null) throw errors.invalidCursor();
  return { limit: limit ?? DEFAULT_LIST_LIMIT, after };
}

export function nextCursor(kind: string, page: Page<unknown>): string | null {
  return page.nextAfter === null ? null : encodeCursor(kind, page.nextAfter);
}
