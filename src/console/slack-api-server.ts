import { EventEmitter } from 'node:events';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { type Clock, systemClock } from '../core/clock.js';
import type { ApiArgs } from './api-args.js';
import { type Fault, FaultInjector } from './fault-injector.js';
import { BodyTooLargeError, parseApiArgs, parseUploadBody, readBody } from './request-body.js';
import { type ResponseUrlSource, ResponseUrls } from './response-urls.js';
import { type MethodHandler, slackApiMethods } from './slack-api-methods.js';
import type { SlackChannel, SlackEphemeral, SlackFileObject, SlackMessage, SlackUser, SlackUsergroup } from './slack-objects.js';
import { SlackMethodFailure } from './slack-method-failure.js';
import { type WaitForOptions, waitForChange } from './wait-for.js';
import { Workspace, type WorkspaceChange } from './workspace.js';
import { LocalWorkspace } from './workspace-defaults.js';

export interface SlackApiServerOptions {
  /** @defaultValue 0 (any free port) */
  port?: number;
  /** @defaultValue '127.0.0.1' */
  host?: string;
  /** The only token the Web API accepts. @defaultValue LocalWorkspace.botToken */
  botToken?: string;
  /** The app-level token `apps.connections.open` accepts (Socket Mode). @defaultValue LocalWorkspace.appToken */
  appToken?: string;
  /** @defaultValue defaultUsers */
  users?: readonly SlackUser[];
  /** @defaultValue defaultChannels */
  channels?: readonly SlackChannel[];
  /** @defaultValue defaultUsergroups */
  usergroups?: readonly SlackUsergroup[];
  /** Source of message timestamps and response URL expiry. @defaultValue systemClock */
  clock?: Clock;
  logger?: Logger;
}

/**
 * One request the stand-in answered. `method` is the Web API method, or `upload` (bytes sent to
 * an upload URL) or `response_url` (a POST to a response URL). `args` are parsed, without the token.
 */
export interface CallRecord {
  method: string;
  args: ApiArgs;
  /** Milliseconds since the epoch, by the server's clock, when the request arrived. */
  at: number;
  ok: boolean;
  /** HTTP status answered; 0 for a call left unanswered (the `hang` fault). */
  status: number;
  /** Slack's error string when `ok` is false. */
  error?: string;
}

/** Events the server emits; `change` carries every workspace mutation, for the console page. */
export interface SlackApiEvents {
  call: [CallRecord];
  message: [{ channel: string; message: SlackMessage }];
  update: [{ channel: string; message: SlackMessage; previous: SlackMessage }];
  delete: [{ channel: string; ts: string; previous: SlackMessage }];
  ephemeral: [{ channel: string; user: string; message: SlackEphemeral; replaced: boolean }];
  file: [{ file: SlackFileObject; channel?: string; ts?: string }];
  change: [WorkspaceChange];
}

/** Scopes reported in `x-oauth-scopes`, as a bot installed with sitrep's manifest would have. */
const BOT_SCOPES = 'chat:write,commands,files:write,pins:write,reactions:write,reactions:read,users:read,usergroups:read,channels:read,channels:history,groups:read,im:write';

/** How many recent calls a timeout message lists. */
const RECENT_CALLS_SHOWN = 15;

/**
 * A local stand-in for the Slack Web API that @slack/web-api and Bolt talk to unchanged
 * (`clientOptions.slackApiUrl = server.url`). It keeps a workspace in memory, records every
 * call, and lets tests inject Slack's failures. Create it with {@link startSlackApiServer}.
 */
export class SlackApiServer extends EventEmitter<SlackApiEvents> {
  /** Base URL for `slackApiUrl`, ending in `/api/`. */
  readonly url: string;
  /** `http://host:port`, where files, upload URLs and response URLs live. */
  readonly origin: string;
  readonly workspace: Workspace;
  readonly botToken: string;
  readonly appToken: string;
  private readonly faults = new FaultInjector();
  private readonly log: CallRecord[] = [];
  private readonly methods: Record<string, MethodHandler>;
  private readonly uploads = new Map<string, string>();
  private readonly responseUrls: ResponseUrls;
  private readonly clock: Clock;
  private readonly logger: Logger | undefined;
  private socketModeUrl: (() => string) | undefined;

  /** @internal Use {@link startSlackApiServer}; the HTTP server must already listen. */
  constructor(private readonly http: Server, options: SlackApiServerOptions) {
    super();
    const { address, port } = http.address() as AddressInfo;
    const host = address.includes(':') ? `[${address}]` : address;
    this.origin = `http://${host}:${port}`;
    this.url = `${this.origin}/api/`;
    this.botToken = options.botToken ?? LocalWorkspace.botToken;
    this.appToken = options.appToken ?? LocalWorkspace.appToken;
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger;
    this.workspace = new Workspace({
      origin: this.origin,
      clock: this.clock,
      ...(options.users ? { users: options.users } : {}),
      ...(options.channels ? { channels: options.channels } : {}),
      ...(options.usergroups ? { usergroups: options.usergroups } : {}),
    });
    this.methods = slackApiMethods(this.workspace, this.uploads);
    this.responseUrls = new ResponseUrls(this.workspace, this.clock);
    this.workspace.on('change', (change) => this.relay(change));
    http.on('request', (req: IncomingMessage, res: ServerResponse) => {
      this.route(req, res).catch((err: unknown) => {
        this.logger?.error({ err }, 'slack stand-in: request failed');
        if (!res.headersSent) send(res, 500, { ok: false, error: 'internal_error' });
        else res.destroy();
      });
    });
  }

  // ---- test and console controls ----------------------------------------------------------

  /**
   * A response URL for an interaction by `user` in `channel`, as Slack puts in a slash command
   * (no source) or a block action (`source` = the clicked message).
   */
  responseUrlFor(channel: string, user: string, source?: ResponseUrlSource): string {
    return this.responseUrls.create(channel, user, source);
  }

  /** The next `times` calls of `method` (`'*'` for any, `upload`, `response_url`) fail with `fault`. */
  failNext(method: string, fault: Fault, times = 1): void {
    this.faults.failNext(method, fault, times);
  }

  /**
   * Serve Socket Mode: from now on `apps.connections.open` with the app token answers
   * `{ ok: true, url: next() }` (a `ws://` URL of a local Socket Mode endpoint). `undefined` stops.
   */
  serveSocketMode(next: (() => string) | undefined): void {
    this.socketModeUrl = next;
  }

  /** Delay every answer by `ms` (0 to stop). */
  setLatency(ms: number): void {
    this.faults.latencyMs = Math.max(0, ms);
  }

  /** Recorded calls, oldest first, optionally of one method. */
  calls(method?: string): CallRecord[] {
    return (method ? this.log.filter((c) => c.method === method) : this.log).map((c) => structuredClone(c));
  }

  /** Forget recorded calls and pending faults (the workspace stays). */
  resetCalls(): void {
    this.log.length = 0;
    this.faults.clear();
  }

  /**
   * Resolves with `predicate()`'s first non-undefined value, re-checked after every call and
   * workspace change. On timeout the rejection lists the recent calls.
   */
  waitFor<T>(predicate: () => T | undefined, options: WaitForOptions = {}): Promise<T> {
    return waitForChange(
      (onChange) => {
        this.on('call', onChange);
        this.on('change', onChange);
        return () => {
          this.off('call', onChange);
          this.off('change', onChange);
        };
      },
      predicate,
      () => this.describeRecentCalls(),
      options,
    );
  }

  /** Recent calls, one line each, for failure messages. */
  describeRecentCalls(limit = RECENT_CALLS_SHOWN): string {
    if (this.log.length === 0) return 'No Slack API calls were made.';
    const recent = this.log.slice(-limit);
    const lines = recent.map((c) => `  ${c.ok ? 'ok ' : 'ERR'} ${c.method}${c.error ? ` (${c.error})` : ''} ${summarize(c.args)}`);
    const skipped = this.log.length - recent.length;
    return `Recent Slack API calls (${this.log.length} in all${skipped ? `, last ${recent.length} shown` : ''}):\n${lines.join('\n')}`;
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.http.close((err) => (err ? reject(err) : resolve()));
      // Clients keep connections alive (fetch does); without this, close() waits for them.
      this.http.closeAllConnections();
    });
  }

  // ---- HTTP -------------------------------------------------------------------------------

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = this.clock.now();
    const url = new URL(req.url ?? '/', this.origin);
    const path = url.pathname;
    let body: Buffer;
    try {
      body = await readBody(req);
    } catch (err) {
      if (err instanceof BodyTooLargeError) return send(res, 413, { ok: false, error: 'request_too_large' });
      throw err;
    }
    if (this.faults.latencyMs > 0) await delay(this.faults.latencyMs);

    let m: RegExpExecArray | null;
    if ((m = /^\/api\/([A-Za-z0-9_.]+)$/.exec(path))) return this.apiCall(m[1], req, res, body, url.searchParams, at);
    if (req.method === 'POST' && (m = /^\/upload\/v1\/([A-Za-z0-9_-]+)$/.exec(path))) return this.upload(m[1], req, res, body, at);
    if (req.method === 'POST' && (m = /^\/response\/([A-Za-z0-9_-]+)$/.exec(path))) return this.respond(m[1], req, res, body, at);
    if (req.method === 'GET' && (m = /^\/files-pri\/[A-Z0-9]+-(F[A-Z0-9]+)\/(?:download\/)?[^/]+$/.exec(path))) {
      // url_private needs the bot token, as in Slack.
      if (bearer(req) !== this.botToken) return sendText(res, 403, 'not_authed: send "Authorization: Bearer <bot token>" to download url_private');
      return this.download(m[1], res);
    }
    if (req.method === 'GET' && (m = /^\/files\/[A-Z0-9]+\/(F[A-Z0-9]+)\/[^/]+$/.exec(path))) return this.download(m[1], res);
    sendText(res, 404, `not found: ${req.method} ${path}`);
  }

  private async apiCall(method: string, req: IncomingMessage, res: ServerResponse, body: Buffer, query: URLSearchParams, at: number): Promise<void> {
    let args: ApiArgs;
    try {
      args = await parseApiArgs(req.headers['content-type'], body, query);
    } catch {
      const json = (req.headers['content-type'] ?? '').includes('json');
      return this.answer(res, { method, args: {}, at }, 200, { ok: false, error: json ? 'invalid_json' : 'invalid_form_data' });
    }
    const token = bearer(req) ?? (typeof args.token === 'string' ? args.token : undefined);
    delete args.token;
    const call = { method, args, at };

    const fault = this.faults.take(method);
    if (fault) return this.answerFault(res, call, fault);

    if (method === 'apps.connections.open') return this.openConnection(req, res, call);
    const handler = Object.hasOwn(this.methods, method) ? this.methods[method] : undefined;
    if (!handler) return this.answer(res, call, 200, { ok: false, error: 'unknown_method', req_method: method });
    if (method !== 'api.test') {
      if (!token) return this.answer(res, call, 200, { ok: false, error: 'not_authed' });
      // An app-level token opens Socket Mode connections and nothing else.
      if (token === this.appToken) return this.answer(res, call, 200, { ok: false, error: 'not_allowed_token_type' });
      if (token !== this.botToken) return this.answer(res, call, 200, { ok: false, error: 'invalid_auth' });
    }
    try {
      const result = handler(args);
      this.answer(res, call, 200, { ok: true, ...result }, { 'x-oauth-scopes': BOT_SCOPES });
    } catch (err) {
      if (!(err instanceof SlackMethodFailure)) throw err;
      this.answer(res, call, 200, err.toBody(), { 'x-oauth-scopes': BOT_SCOPES });
    }
  }

  /** Socket Mode's `apps.connections.open`: the app-level token, in the Authorization header only, as Slack requires. */
  private openConnection(req: IncomingMessage, res: ServerResponse, call: { method: string; args: ApiArgs; at: number }): void {
    const token = bearer(req);
    if (!token) return this.answer(res, call, 200, { ok: false, error: 'not_authed' });
    if (token === this.botToken) return this.answer(res, call, 200, { ok: false, error: 'not_allowed_token_type' });
    if (token !== this.appToken) return this.answer(res, call, 200, { ok: false, error: 'invalid_auth' });
    // The stand-in's own error (Slack's wording is unknown): no endpoint was attached with serveSocketMode().
    if (!this.socketModeUrl) return this.answer(res, call, 200, { ok: false, error: 'socket_mode_not_enabled' });
    this.answer(res, call, 200, { ok: true, url: this.socketModeUrl() }, { 'x-oauth-scopes': 'connections:write' });
  }

  private async upload(secret: string, req: IncomingMessage, res: ServerResponse, body: Buffer, at: number): Promise<void> {
    const fileId = this.uploads.get(secret);
    const call = { method: 'upload', args: { file_id: fileId ?? null } as ApiArgs, at };
    const fault = this.faults.take('upload');
    if (fault) return this.answerFault(res, call, fault);
    if (!fileId) return this.answer(res, call, 404, { ok: false, error: 'invalid_upload_url' });
    const content = await parseUploadBody(req.headers['content-type'], body);
    call.args.bytes = content.length;
    try {
      this.workspace.receiveUpload(fileId, content);
    } catch (err) {
      if (!(err instanceof SlackMethodFailure)) throw err;
      return this.answer(res, call, 400, err.toBody());
    }
    this.uploads.delete(secret);
    this.record({ ...call, ok: true, status: 200 });
    sendText(res, 200, `OK - ${content.length}`);
  }

  private async respond(id: string, req: IncomingMessage, res: ServerResponse, body: Buffer, at: number): Promise<void> {
    let payload: unknown;
    try {
      const args = await parseApiArgs(req.headers['content-type'], body, new URLSearchParams());
      // Form posts carry the JSON in `payload`, as incoming webhooks accept.
      payload = typeof args.payload === 'string' ? JSON.parse(args.payload) : args;
    } catch {
      payload = undefined;
    }
    const call = { method: 'response_url', args: (payload && typeof payload === 'object' ? payload : {}) as ApiArgs, at };
    const fault = this.faults.take('response_url');
    if (fault) return this.answerFault(res, call, fault);
    const outcome = this.responseUrls.apply(id, payload);
    this.answer(res, call, outcome.status, outcome.body);
  }

  private download(fileId: string, res: ServerResponse): void {
    const file = this.workspace.file(fileId);
    if (!file?.content) return sendText(res, 404, `file_not_found: ${fileId}`);
    res.writeHead(200, {
      'content-type': file.mimetype.startsWith('text/') ? `${file.mimetype}; charset=utf-8` : file.mimetype,
      'content-length': file.content.length,
      'content-disposition': `inline; filename*=UTF-8''${encodeURIComponent(file.name)}`,
    });
    res.end(file.content);
  }

  private answerFault(res: ServerResponse, call: { method: string; args: ApiArgs; at: number }, fault: Fault): void {
    if ('hang' in fault) {
      this.record({ ...call, ok: false, status: 0, error: 'hang' });
      return;
    }
    if ('error' in fault) return this.answer(res, call, 200, { ok: false, error: fault.error, ...fault.extra });
    if (fault.status === 429 && 'retryAfter' in fault) {
      return this.answer(res, call, 429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(fault.retryAfter) });
    }
    const text = 'body' in fault && fault.body !== undefined ? fault.body : `injected HTTP ${fault.status}`;
    this.record({ ...call, ok: false, status: fault.status, error: `http_${fault.status}` });
    sendText(res, fault.status, text);
  }

  private answer(
    res: ServerResponse,
    call: { method: string; args: ApiArgs; at: number },
    status: number,
    body: Record<string, unknown>,
    headers: Record<string, string> = {},
  ): void {
    const ok = body.ok === true;
    this.record({ ...call, ok, status, ...(ok ? {} : { error: String(body.error) }) });
    send(res, status, body, headers);
  }

  private record(call: CallRecord): void {
    this.log.push(call);
    this.logger?.debug({ method: call.method, ok: call.ok, error: call.error }, 'slack stand-in call');
    this.emit('call', structuredClone(call));
  }

  private relay(change: WorkspaceChange): void {
    switch (change.kind) {
      case 'message_posted':
        this.emit('message', { channel: change.channel, message: change.message });
        break;
      case 'message_updated':
        this.emit('update', { channel: change.channel, message: change.message, previous: change.previous });
        break;
      case 'message_deleted':
        this.emit('delete', { channel: change.channel, ts: change.ts, previous: change.previous });
        break;
      case 'ephemeral_posted':
      case 'ephemeral_updated':
        this.emit('ephemeral', { channel: change.channel, user: change.user, message: change.message, replaced: change.kind === 'ephemeral_updated' });
        break;
      case 'file_uploaded':
        this.emit('file', { file: change.file });
        break;
      case 'file_shared':
        this.emit('file', { file: change.file, channel: change.channel, ts: change.ts });
        break;
      default:
        break;
    }
    this.emit('change', change);
  }
}

/** Starts the Web API stand-in on loopback; `server.url` goes into `slackApiUrl`. */
export async function startSlackApiServer(options: SlackApiServerOptions = {}): Promise<SlackApiServer> {
  const http = createServer();
  // Keep-alive sockets from the SDK's fetch would otherwise outlive a test's close().
  http.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      http.off('error', reject);
      resolve();
    });
  });
  return new SlackApiServer(http, options);
}

function bearer(req: IncomingMessage): string | undefined {
  const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  return m?.[1];
}

function send(res: ServerResponse, status: number, body: Record<string, unknown>, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A short view of call arguments for failure messages: ids and the first words of text. */
function summarize(args: ApiArgs): string {
  const parts: string[] = [];
  for (const key of ['channel', 'channel_id', 'user', 'ts', 'thread_ts', 'file_id', 'response_type', 'replace_original', 'text', 'initial_comment']) {
    const v = args[key];
    if (v === undefined || v === null || v === '') continue;
    const s = typeof v === 'string' ? v : JSON.stringify(v);
    parts.push(`${key}=${JSON.stringify(s.length > 60 ? `${s.slice(0, 57)}...` : s)}`);
  }
  if (args.blocks !== undefined) parts.push('blocks=[...]');
  return parts.join(' ');
}
