/** What the HTTP layer is built from (ports), and what an authenticated request carries. */
import type { FastifyInstance } from 'fastify';
import type { FleetStore, SessionRecord } from '../fleet/ports.js';
import type { Role, Scope, User } from '../fleet/types.js';
import type { JobRunner } from '../worker/jobs.js';

/**
 * The job runner port (src/worker/jobs.ts): the in-process runner (embedded default) or the pg-boss one. The server
 * only enqueues (requestScan: the queued scan record and its job) and lists/subscribes for progress.
 */
export type ScanRunner = Pick<JobRunner, 'enqueue'> & Partial<Pick<JobRunner, 'list' | 'subscribe'>>;

export interface Clock {
  now(): Date;
}

export interface ServerDeps {
  store: FleetStore;
  runner?: ScanRunner;
  /** Jobs other than scans (patch-apply, notify): the runner's enqueue. */
  jobs?: Pick<JobRunner, 'enqueue'>;
  clock: Clock;
  /** Mark the session cookie Secure on every answer (behind a TLS-terminating proxy); otherwise only on HTTPS requests. */
  secureCookies: boolean;
  /** Static UI assets (index.html, …): dist/ui of the package by default. */
  uiDir?: string;
  /** Session lifetime: idle (since the last request) and absolute (since login), in seconds. */
  sessionIdleSeconds: number;
  sessionAbsoluteSeconds: number;
  /** Login throttling: failures allowed per account and per client address within the window. */
  throttle: { perAccount: number; perIp: number; windowSeconds: number };
}

/** The caller of one request, resolved by the auth hook. */
export interface Principal {
  user: User;
  scope: Scope;
  /** Set when the request came with `Authorization: Bearer`. */
  tokenId: string | null;
  /** Set for cookie sessions. */
  session: (SessionRecord & { id: string }) | null;
}

/** How a route is protected (route option `config`). Default: a signed-in user with the second factor done. */
export interface RouteAuthConfig {
  /** `public`: no sign-in; `pending`: a session whose second factor is still to be given (or set up) is enough. */
  auth?: 'public' | 'pending' | 'user';
  /** Only these roles (others get 403). */
  roles?: readonly Role[];
  /** A state-changing route a viewer may call (their own password, their own session). */
  viewerMayWrite?: boolean;
  /** Short description for the OpenAPI document. */
  summary?: string;
  tags?: string[];
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- declaration merging adds our fields to Fastify's route config
  interface FastifyContextConfig extends RouteAuthConfig {}
}

/** One file of routes: registered by one line in routes/index.ts. */
export type RouteModule = (app: FastifyInstance, deps: ServerDeps) => void | Promise<void>;
