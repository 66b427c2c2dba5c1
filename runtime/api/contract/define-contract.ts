/**
 * The route map's building blocks: a route is keyed `'METHOD /path'` (OpenAPI
 * path template) and declares its request and its responses. The server
 * registers each route from its entry (runtime/api/define-route.ts); the
 * designer's client takes the same entry's types (designer/api-client.ts).
 */
import type { z } from 'zod';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type RouteKey = `${HttpMethod} /${string}`;

type Content = Record<string, { schema: z.ZodType }>;
export interface ResponseDecl { description: string; content?: Content }
export interface RequestDecl {
  params?: z.ZodObject;
  query?: z.ZodObject;
  headers?: z.ZodObject;
  body?: { content: Content; required?: boolean };
}
export interface RouteDecl { request?: RequestDecl; responses: Record<number, ResponseDecl> }

type MethodOf<K> = K extends `${infer M} /${string}` ? Lowercase<M> : never;
type PathOf<K> = K extends `${string} /${infer P}` ? `/${P}` : never;

/** A route's entry: its declaration with the method and path of its key. */
export type ContractRoute<K extends RouteKey, D extends RouteDecl> = D & { method: MethodOf<K>; path: PathOf<K> };

/** Adds each route's method and path (from its key) to its declaration. */
export function defineContract<const T extends Record<RouteKey, RouteDecl>>(routes: T): { [K in keyof T & RouteKey]: ContractRoute<K, T[K]> } {
  return Object.fromEntries(Object.entries(routes).map(([key, decl]) => {
    const space = key.indexOf(' ');
    return [key, { ...decl, method: key.slice(0, space).toLowerCase(), path: key.slice(space + 1) }];
  })) as never;
}

/** A JSON response. */
export const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });

/** A JSON request body (required unless said). */
export const jsonBody = <T extends z.ZodType, const R extends boolean = true>(schema: T, required: R = true as R) => ({ content: { 'application/json': { schema } }, required });

/** A response without a declared body (the problem document of an error is added by the server). */
export const described = (description: string) => ({ description });
