/**
 * `http-vendor`: a generic REST vendor. Every request is signed (HMAC-SHA256) and carries the step's
 * idempotency key, so a vendor implementing the protocol can both authenticate us and deduplicate retries.
 */
import { z } from 'zod';
import { createOutboundFetch, EgressRefusedError, literalAddressRefusal, publicEgressOnly, urlShapeProblem, type EgressPolicy, type OutboundFetch } from '../../../infra/egress';
import {
  PluginError,
  excerpt,
  type OperationInput,
  type PluginCallContext,
  type PluginErrorClass,
  type PluginResult,
  type PluginStatus,
  type ProvisioningPlugin,
  type ReconcilableOperation,
} from '../../../contracts/plugin-contract';
import { parseVendorJson, signVendorRequest } from './http-vendor-protocol';

export const HTTP_VENDOR_PLUGIN_NAME = 'http-vendor';

export const httpVendorSettingsSchema = z.object({
  // Paths are appended to it, so it has no query or fragment (infra/egress.ts).
  baseUrl: z.string().superRefine((value, ctx) => {
    const problem = urlShapeProblem(value, { base: true });
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
  secret: z.string().min(1),
  timeoutMs: z.number().int().positive().default(10_000),
  apiKey: z.string().min(1).optional(),
});
export type HttpVendorSettings = z.infer<typeof httpVendorSettingsSchema>;

export interface HttpVendorPluginOptions {
  /** Which vendor addresses may be called (EGRESS_ALLOW_HOSTS); default: public addresses only. */
  egress?: EgressPolicy;
  /** Injected for tests; defaults to the egress policy's fetch. */
  fetch?: OutboundFetch;
}

const vendorResourceSchema = z.object({
  id: z.union([z.string().min(1), z.number()]).transform(String),
  state: z.string().optional(),
});

/** A page of the `usage` operation; each record is checked again, one by one, when it is ingested. */
const vendorUsageSchema = z.object({
  records: z.array(
    z.object({
      recordId: z.union([z.string().min(1).max(200), z.number()]).transform(String),
      resource: z.string().min(1).max(100),
      quantity: z.union([z.number(), z.string()]),
      usedAt: z.string().max(40),
      periodDays: z.number().int().optional(),
      unitPrice: z.union([z.number(), z.string()]).optional(),
    }),
  ).max(10_000),
  nextCursor: z.string().max(500),
  hasMore: z.boolean(),
});

/** Error codes that mean the connection broke after the request may have reached the vendor. */
const CONNECTION_LOST_CODES = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE', 'UND_ERR_HEADERS_TIMEOUT']);
const CONNECTION_LOST_MESSAGES = [/other side closed/i, /socket hang up/i, /connection reset/i];

export function parseHttpVendorSettings(raw: Record<string, unknown>): HttpVendorSettings {
  const parsed = httpVendorSettingsSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    // Only paths and zod's messages: zod does not echo received values, so a mistyped secret stays out.
    const problems = parsed.error.issues
      .map((issue) => `${issue.path.join('.') || '(settings)'}: ${issue.message}`)
      .join('; ');
    throw new PluginError('permanent', `http-vendor: invalid settings: ${problems}`, { code: 'invalid_settings' });
  }
  return parsed.data;
}

/**
 * Settings a service template may be saved with (the API asks when one is created): the protocol's settings,
 * and a base URL the egress policy does not refuse outright (an IP literal inside the network that is not
 * allow-listed). A name is resolved, and checked again, only when the vendor is called.
 */
export function httpVendorSettingsRefusal(raw: Record<string, unknown>, egress: EgressPolicy): { code: 'invalid_settings' | 'egress_refused'; message: string; details?: unknown } | null {
  const parsed = httpVendorSettingsSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const details = parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
    return { code: 'invalid_settings', message: `http-vendor settings: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`, details };
  }
  const refusal = literalAddressRefusal(egress, new URL(parsed.data.baseUrl));
  return refusal ? { code: 'egress_refused', message: `baseUrl: ${refusal}` } : null;
}

/**
 * The http-vendor plugin. Long because it is the adapter's table of the contract's nine operations, each a few lines
 * mapping the operation to its vendor request (send, below, does the HTTP).
 */
export function createHttpVendorPlugin(options: HttpVendorPluginOptions = {}): ProvisioningPlugin {
  const doFetch = options.fetch ?? createOutboundFetch(options.egress ?? publicEgressOnly);

  function requireReference(ctx: PluginCallContext, operation: string): string {
    const ref = ctx.subscription.vendorReference;
    if (!ref) {
      throw new PluginError(
        'permanent',
        `http-vendor: cannot ${operation} subscription ${ctx.subscription.id}: it has no vendor reference (was it created?)`,
        { code: 'missing_vendor_reference' },
      );
    }
    return ref;
  }

  async function mutate(
    ctx: PluginCallContext,
    operation: string,
    pathSuffix: string,
    body: Record<string, unknown>,
  ): Promise<PluginResult> {
    const settings = parseHttpVendorSettings(ctx.settings);
    const ref = requireReference(ctx, operation);
    const response = await send(doFetch, settings, ctx, {
      method: 'POST',
      path: `/resources/${encodeURIComponent(ref)}${pathSuffix}`,
      body,
      operation,
    });
    return toResult(response, ref);
  }

  /**
   * `GET /resources/{id}/operations/{key}?operation=<op>`: 200 when the operation sent under that key took effect,
   * 404 when not (a vendor that does not know this route answers 404 too: the operation is sent again, under the
   * same key, as before this route existed). With an operation query `exists` says whether that effect exists.
   */
  async function operationStatus(ctx: PluginCallContext, settings: HttpVendorSettings, operation: ReconcilableOperation): Promise<PluginStatus> {
    const ref = ctx.subscription.vendorReference;
    // Without a reference no operation can have been sent; the operation itself reports the missing reference.
    if (!ref) return { exists: false, applied: false };
    const response = await send(doFetch, settings, ctx, {
      method: 'GET',
      path: `/resources/${encodeURIComponent(ref)}/operations/${encodeURIComponent(ctx.idempotencyKey)}?operation=${encodeURIComponent(operation)}`,
      body: undefined,
      operation: 'status',
      acceptNotFound: true,
    });
    if (response.status === 404) return { exists: false, applied: false, data: { httpStatus: 404 }, responseExcerpt: response.excerpt };
    return { exists: true, applied: true, ...toResult(response, ref) };
  }

  return {
    name: HTTP_VENDOR_PLUGIN_NAME,

    async create(ctx, input) {
      const settings = parseHttpVendorSettings(ctx.settings);
      const sub = ctx.subscription;
      const response = await send(doFetch, settings, ctx, {
        method: 'POST',
        path: '/resources',
        body: {
          subscriptionId: sub.id,
          clientId: sub.clientId,
          planSku: sub.planSku,
          name: sub.name,
          resources: sub.resources,
          ...input,
        },
        operation: 'create',
      });
      const parsed = vendorResourceSchema.safeParse(response.json);
      if (!parsed.success) {
        // The vendor says it acted but gave no id; retrying would get the same deduplicated answer, so a
        // person has to look.
        throw new PluginError(
          'permanent',
          `http-vendor: create answered HTTP ${response.status} without a resource id`,
          { httpStatus: response.status, responseExcerpt: response.excerpt, code: 'bad_response' },
        );
      }
      return {
        vendorReference: parsed.data.id,
        state: parsed.data.state,
        data: { httpStatus: response.status },
        responseExcerpt: response.excerpt,
      };
    },

    renew: (ctx, input) =>
      mutate(ctx, 'renew', '/renew', {
        subscriptionId: ctx.subscription.id,
        expirationDate: ctx.subscription.expirationDate,
        ...input,
      }),
    prolong: (ctx, input) =>
      mutate(ctx, 'prolong', '/prolong', {
        subscriptionId: ctx.subscription.id,
        expirationDate: ctx.subscription.expirationDate,
        ...input,
      }),
    changeResources: (ctx, input) =>
      mutate(ctx, 'change_resources', '/change-resources', {
        subscriptionId: ctx.subscription.id,
        resources: ctx.subscription.resources,
        ...input,
      }),
    switchPlan: (ctx, input) =>
      mutate(ctx, 'switch_plan', '/switch-plan', {
        subscriptionId: ctx.subscription.id,
        planSku: ctx.subscription.planSku,
        ...input,
      }),
    stop: (ctx, input) => mutate(ctx, 'stop', '/stop', { subscriptionId: ctx.subscription.id, ...input }),
    activate: (ctx, input) =>
      mutate(ctx, 'activate', '/activate', { subscriptionId: ctx.subscription.id, ...input }),

    async delete(ctx: PluginCallContext, _input: OperationInput) {
      const settings = parseHttpVendorSettings(ctx.settings);
      const ref = requireReference(ctx, 'delete');
      // No body: DELETE bodies are dropped by enough proxies that the signature would stop matching.
      const response = await send(doFetch, settings, ctx, {
        method: 'DELETE',
        path: `/resources/${encodeURIComponent(ref)}`,
        body: undefined,
        operation: 'delete',
      });
      return toResult(response, ref);
    },

    /** `GET /resources/{id}/usage?cursor=&limit=`: `{ "records": [...], "nextCursor": "…", "hasMore": false }` (README, the protocol). */
    async usage(ctx, query) {
      const settings = parseHttpVendorSettings(ctx.settings);
      const ref = requireReference(ctx, 'usage');
      const search = new URLSearchParams({ limit: String(query.limit), ...(query.cursor === null ? {} : { cursor: query.cursor }) });
      const response = await send(doFetch, settings, ctx, { method: 'GET', path: `/resources/${encodeURIComponent(ref)}/usage?${search}`, body: undefined, operation: 'usage' });
      const parsed = vendorUsageSchema.safeParse(response.json);
      if (!parsed.success) {
        throw new PluginError('permanent', `http-vendor: usage answered HTTP ${response.status} without { records, nextCursor, hasMore }`, { httpStatus: response.status, responseExcerpt: response.excerpt, code: 'bad_response' });
      }
      return parsed.data;
    },

    async status(ctx, query = {}): Promise<PluginStatus> {
      const settings = parseHttpVendorSettings(ctx.settings);
      const ref = ctx.subscription.vendorReference;
      if (query.operation) return operationStatus(ctx, settings, query.operation);
      const path = ref
        ? `/resources/${encodeURIComponent(ref)}`
        : `/resources/by-key/${encodeURIComponent(ctx.idempotencyKey)}`;
      const response = await send(doFetch, settings, ctx, {
        method: 'GET',
        path,
        body: undefined,
        operation: 'status',
        acceptNotFound: true,
      });
      if (response.status === 404) {
        return { exists: false, data: { httpStatus: 404 }, responseExcerpt: response.excerpt };
      }
      const parsed = vendorResourceSchema.safeParse(response.json);
      if (!parsed.success && !ref) {
        throw new PluginError(
          'permanent',
          `http-vendor: status answered HTTP ${response.status} without a resource id`,
          { httpStatus: response.status, responseExcerpt: response.excerpt, code: 'bad_response' },
        );
      }
      return {
        exists: true,
        vendorReference: parsed.success ? parsed.data.id : (ref ?? undefined),
        state: parsed.success ? parsed.data.state : undefined,
        data: { httpStatus: response.status },
        responseExcerpt: response.excerpt,
      };
    },
  };
}

interface VendorRequest {
  method: 'GET' | 'POST' | 'DELETE';
  /** Relative to the base URL, already percent-encoded. */
  path: string;
  body: Record<string, unknown> | undefined;
  operation: string;
  /** `status` treats 404 as an answer ("no such resource"), not as a failure. */
  acceptNotFound?: boolean;
}

interface VendorResponse {
  status: number;
  json: unknown;
  excerpt: string;
}

function toResult(response: VendorResponse, ref: string): PluginResult {
  const parsed = vendorResourceSchema.partial().safeParse(response.json);
  return {
    vendorReference: (parsed.success && parsed.data.id) || ref,
    state: parsed.success ? parsed.data.state : undefined,
    data: { httpStatus: response.status },
    responseExcerpt: response.excerpt,
  };
}

/**
 * One vendor request: sign it, check the address against the egress policy, follow no redirect it has not checked,
 * time it out, read a bounded body and classify the answer. Long because those steps share the request's state and
 * read best in order; each is a few lines.
 */
async function send(
  doFetch: OutboundFetch,
  settings: HttpVendorSettings,
  ctx: PluginCallContext,
  request: VendorRequest,
): Promise<VendorResponse> {
  const secrets = [settings.secret, settings.apiKey].filter((s): s is string => !!s);
  const redact = (text: string) => redactSecrets(text, secrets);
  const what = `http-vendor: ${request.operation} (${request.method} ${request.path})`;

  if (ctx.signal?.aborted) {
    throw new PluginError('transient', `${what}: cancelled before sending`, { code: 'cancelled' });
  }

  const url = new URL(joinUrl(settings.baseUrl, request.path));
  const wirePath = `${url.pathname}${url.search}`;
  const body = request.body === undefined ? '' : JSON.stringify(request.body);
  const timestamp = String(Math.floor(Date.now() / 1000));
  const headers: Record<string, string> = {
    accept: 'application/json',
    'idempotency-key': ctx.idempotencyKey,
    'x-timestamp': timestamp,
    'x-signature': signVendorRequest({
      secret: settings.secret,
      timestamp,
      method: request.method,
      path: wirePath,
      body,
    }),
  };
  if (request.body !== undefined) headers['content-type'] = 'application/json';
  if (settings.apiKey) headers.authorization = `Bearer ${settings.apiKey}`;

  const timeoutSignal = AbortSignal.timeout(settings.timeoutMs);
  const signal = ctx.signal ? AbortSignal.any([timeoutSignal, ctx.signal]) : timeoutSignal;
  // A GET cannot have changed anything at the vendor, so a broken read is plainly worth retrying.
  const mayHaveActed = request.method !== 'GET';

  let res: Response;
  try {
    res = await doFetch(url, {
      method: request.method,
      headers,
      body: request.body === undefined ? undefined : body,
      signal,
      // A redirected request would be signed for the wrong path; surface it instead of following it.
      redirect: 'manual',
    });
  } catch (err) {
    if (err instanceof EgressRefusedError) throw new PluginError('permanent', `${what}: egress refused: ${err.message}`, { code: err.code });
    throw networkError(err, what, { timeoutSignal, ctxSignal: ctx.signal, mayHaveActed, redact, settings });
  }

  let text: string;
  try {
    text = await res.text();
  } catch (err) {
    // Headers arrived but the body did not. A 2xx means the vendor acted, yet we lost its answer (the id).
    const classified = networkError(err, what, {
      timeoutSignal,
      ctxSignal: ctx.signal,
      mayHaveActed: false,
      redact,
      settings,
    });
    throw new PluginError(
      res.ok && mayHaveActed ? 'unknown_outcome' : classified.errorClass,
      `${classified.message} (after HTTP ${res.status})`,
      { ...classified.details, httpStatus: res.status, responseExcerpt: '' },
    );
  }

  const json = parseVendorJson(text);
  const responseExcerpt = vendorShaped(json) || text === '' ? excerpt(redact(text)) : unshownAnswer(text, res.headers.get('content-type'));

  if (res.ok || (request.acceptNotFound && res.status === 404)) {
    return { status: res.status, json, excerpt: responseExcerpt };
  }

  const vendorMessage = extractVendorMessage(json);
  const message = `${what}: vendor answered HTTP ${res.status}${
    vendorMessage ? `: ${redact(vendorMessage)}` : ''
  }`;
  throw new PluginError(classifyStatus(res.status), message, {
    httpStatus: res.status,
    responseExcerpt,
    code: `http_${res.status}`,
  });
}

export function classifyStatus(status: number): PluginErrorClass {
  if (status >= 500 || status === 429 || status === 408) return 'transient';
  return 'permanent';
}

function networkError(
  err: unknown,
  what: string,
  opts: {
    timeoutSignal: AbortSignal;
    ctxSignal: AbortSignal | undefined;
    mayHaveActed: boolean;
    redact: (text: string) => string;
    settings: HttpVendorSettings;
  },
): PluginError {
  if (opts.ctxSignal?.aborted) {
    return new PluginError('transient', `${what}: cancelled`, { code: 'cancelled' });
  }
  if (opts.timeoutSignal.aborted) {
    return new PluginError('transient', `${what}: no answer within ${opts.settings.timeoutMs} ms`, {
      code: 'timeout',
    });
  }
  const { codes, messages } = collectCauses(err);
  const code = codes[0] ?? 'network_error';
  const summary = opts.redact(messages.filter(Boolean).join(': ') || String(err));
  const connectionLost =
    codes.some((c) => CONNECTION_LOST_CODES.has(c)) ||
    messages.some((m) => CONNECTION_LOST_MESSAGES.some((re) => re.test(m)));
  if (connectionLost && opts.mayHaveActed) {
    return new PluginError(
      'unknown_outcome',
      `${what}: connection lost after sending, the vendor may have acted: ${summary}`,
      { code },
    );
  }
  // Refused/unresolvable/unreachable: nothing reached the vendor.
  return new PluginError('transient', `${what}: network error: ${summary}`, { code });
}

/** Walks `cause` chains and AggregateError members: undici hides the useful code one or two levels down. */
function collectCauses(err: unknown): { codes: string[]; messages: string[] } {
  const codes: string[] = [];
  const messages: string[] = [];
  const seen = new Set<unknown>();
  const visit = (e: unknown, depth: number) => {
    if (e === null || e === undefined || seen.has(e) || depth > 5) return;
    seen.add(e);
    if (typeof e !== 'object') {
      messages.push(String(e));
      return;
    }
    const rec = e as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
    if (typeof rec.code === 'string') codes.push(rec.code);
    if (typeof rec.message === 'string' && !messages.includes(rec.message)) messages.push(rec.message);
    visit(rec.cause, depth + 1);
    if (Array.isArray(rec.errors)) for (const inner of rec.errors) visit(inner, depth + 1);
  };
  visit(err, 0);
  return { codes, messages };
}

function extractVendorMessage(json: unknown): string | undefined {
  if (!json || typeof json !== 'object') return undefined;
  const rec = json as { error?: unknown; message?: unknown };
  for (const candidate of [rec.error, rec.message]) {
    if (typeof candidate === 'string' && candidate.trim()) return excerpt(candidate.trim(), 500);
    if (candidate && typeof candidate === 'object') {
      const nested = (candidate as { message?: unknown }).message;
      if (typeof nested === 'string' && nested.trim()) return excerpt(nested.trim(), 500);
    }
  }
  return undefined;
}

/**
 * Whether an answer speaks the protocol: a JSON object naming a resource (`id`, `state`) or an error (`error`,
 * `message`). Only such answers are kept in the task log: whatever else a URL answers (a database banner, an
 * internal page, someone's JSON) stays out of it, so a wrong base URL cannot read internal services through it.
 */
function vendorShaped(json: unknown): boolean {
  if (!json || typeof json !== 'object' || Array.isArray(json)) return false;
  const rec = json as Record<string, unknown>;
  return vendorResourceSchema.safeParse(rec).success || typeof rec.state === 'string' || extractVendorMessage(rec) !== undefined;
}

const unshownAnswer = (text: string, contentType: string | null) =>
  `(${text.length} characters${contentType ? ` of ${contentType.split(';')[0]}` : ''} not shown: not an answer of the vendor protocol)`;

function joinUrl(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, '')}${path}`;
}

/** Vendors sometimes echo request headers in errors; keep our credentials out of logs regardless. */
function redactSecrets(text: string, secrets: string[]): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join('[redacted]');
  return out;
}
