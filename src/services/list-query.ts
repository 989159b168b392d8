import { errors } from '../api/errors.js';
import { decodeCursor, encodeCursor } from '../lib/cursor.js';
import type { ListQuery, Page } from '../storage/ports.js';

export const DEFAULT_LIST_LIMIT = 1000;

/** What the client asks of a list; the service adds the page's size budget. */
export type PageRequest = Omit<ListQuery, 'maxBytes'>;

/** Turns the wire's limit and cursor into a keyset query. An empty cursor means the first page. */
export function toListQuery(kind: string, limit: number | undefined, cursor: string | undefined): PageRequest {
  if (cursor === undefined || cursor === '') return { limit: limit ?? DEFAULT_LIST_LIMIT, after: null };
  const after = decodeCursor(kind, cursor);
  if (after === null) throw errors.invalidCursor();
  return { limit: limit ?? DEFAULT_LIST_LIMIT, after };
}

export function nextCursor(kind: string, page: Page<unknown>): string | null {
  return page.nextAfter === null ? null : encodeCursor(kind, page.nextAfter);
}
