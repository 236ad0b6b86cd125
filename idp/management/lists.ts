/**
 * Auth0's list conventions, for every list endpoint of the Management API: `page` (from 0),
 * `per_page` (1 to 100, default 50) and `include_totals`. Without include_totals the answer is a
 * bare array; with include_totals=true it is `{ <items>, start, limit, total }` (what Auth0's
 * own SDK asks for by default, and reads). GET /roles/{id}/users also takes Auth0's checkpoint
 * form, `from` and `take`, answered as `{ users, next }`.
 */
import { z } from "zod";
import { ApiError } from "./errors.ts";

export interface PageRequest {
  page: number;
  perPage: number;
  includeTotals: boolean;
}

const flag = z.enum(["true", "false"]).transform((value) => value === "true");

const pageQuery = z.object({
  page: z.coerce.number().int().min(0).max(10_000).default(0),
  per_page: z.coerce.number().int().min(1).max(100).default(50),
  include_totals: flag.default(false),
});

const checkpointQuery = z.object({
  from: z
    .string()
    .regex(/^\d{1,9}$/)
    .optional(),
  take: z.coerce.number().int().min(1).max(100).default(50),
});

/** The page a list request asks for, or 400 `invalid_query_string`. */
export function parsePage(query: Record<string, unknown>): PageRequest {
  const parsed = pageQuery.safeParse(query);
  if (!parsed.success) {
    throw new ApiError(400, "invalid_query_string", "page, per_page or include_totals is not valid.");
  }
  return { page: parsed.data.page, perPage: parsed.data.per_page, includeTotals: parsed.data.include_totals };
}

/** `skip` and `take` for a database query of this page. */
export function pageWindow(request: PageRequest): { skip: number; take: number } {
  return { skip: request.page * request.perPage, take: request.perPage };
}

/** This page of an in-memory list, and the list's length. */
export function slicePage<T>(all: readonly T[], request: PageRequest): { items: T[]; total: number } {
  const { skip, take } = pageWindow(request);
  return { items: all.slice(skip, skip + take), total: all.length };
}

/** The answer Auth0 gives: a bare array, or `{ [key]: items, start, limit, total }` with include_totals. */
export function listAnswer<T>(
  key: string,
  items: T[],
  total: number,
  request: PageRequest,
  extra: Record<string, unknown> = {},
): T[] | Record<string, unknown> {
  if (!request.includeTotals) return items;
  return { start: pageWindow(request).skip, limit: request.perPage, ...extra, total, [key]: items };
}

/** Checkpoint pagination (`from`, `take`) when the request uses it; `from` is the offset this IdP handed out as `next`. */
export function parseCheckpoint(query: Record<string, unknown>): { skip: number; take: number } | undefined {
  if (query.from === undefined && query.take === undefined) return undefined;
  const parsed = checkpointQuery.safeParse(query);
  if (!parsed.success) throw new ApiError(400, "invalid_query_string", "from or take is not valid.");
  return { skip: Number(parsed.data.from ?? 0), take: parsed.data.take };
}
