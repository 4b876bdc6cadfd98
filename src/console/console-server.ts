import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { z } from 'zod';
import { ConfigError, ErrorCode, SitrepError } from '../core/errors.js';
import type { ClusterSnapshot } from './cluster-snapshot.js';
import { addReaction, clickButton, runSlashCommand, type ActionOutcome, type BotEndpoint } from './console-actions.js';
import { consoleState, feedEventsFor, type FeedEvent } from './console-feed.js';
import { BodyTooLargeError, readBody } from './request-body.js';
import type { SlackApiServer } from './slack-api-server.js';
import { SlackMethodFailure } from './slack-method-failure.js';
import type { WorkspaceChange } from './workspace.js';

export interface ConsoleServerOptions {
  /** The Slack Web API stand-in whose workspace the page shows. */
  slack: SlackApiServer;
  /** The bot's Request URL (`bot.url`, ending in `/slack/events`). */
  botUrl: string;
  /** The secret the bot verifies requests with; it stays on the server, never reaches the page. */
  signingSecret: string;
  /** @defaultValue 3000 (0 picks a free port) */
  port?: number;
  /** @defaultValue '127.0.0.1' */
  host?: string;
  /** Feeds the cluster side panel; without it the panel is hidden. */
  clusterView?: () => Promise<ClusterSnapshot>;
  /** The person the page acts as when it first opens. @defaultValue 'U0ALICE001' */
  defaultUser?: string;
  logger?: Logger;
}

export interface ConsoleServer {
  /** `http://localhost:PORT`, for people to open. */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** The page's files; read from disk once, so editing them needs only a reload of the server. */
const STATIC_FILES: Record<string, string> = {
  '/': 'index.html',
  '/index.html': 'index.html',
  '/static/console.css': 'console.css',
  '/static/app.js': 'app.js',
  '/static/render.js': 'render.js',
  '/static/emoji.js': 'emoji.js',
};

const CONTENT_TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
};

/** Largest JSON body the page sends (a message is at most a few KB). */
const MAX_ACTION_BODY = 64 * 1024;
/** SSE comment interval, so idle proxies and browsers keep the stream open. */
const KEEPALIVE_MS = 15_000;

const userId = z.string().regex(/^[UW][A-Z0-9]+$/);
const channelId = z.string().regex(/^[CDG][A-Z0-9]+$/);
const ts = z.string().regex(/^\d+\.\d+$/);
const CommandBody = z.object({ user: userId, channel: channelId, text: z.string().min(1).max(4000), threadTs: ts.optional() });
const ActionBody = z.object({
  user: userId, channel: channelId, ts, actionId: z.string().min(1).max(255), blockId: z.string().max(255).optional(),
  value: z.string().max(2000).optional(), ephemeral: z.boolean().optional(),
});
const ReactionBody = z.object({ user: userId, channel: channelId, ts, name: z.string().min(1).max(100) });

/** The page's files live next to this module in source; the built bundle (dist/) finds them in src/console/web beside it. */
function webDir(): string {
  const candidates = [new URL('./web/', import.meta.url), new URL('../src/console/web/', import.meta.url)];
  for (const c of candidates) if (existsSync(new URL('index.html', c))) return fileURLToPath(c);
  throw new SitrepError(ErrorCode.Internal, 'The console page files (src/console/web) are missing.', { hint: 'Run from a full checkout, or copy src/console/web next to the built console module.' });
}

/**
 * The local Slack console: a web page that looks and behaves like a Slack channel, on top of the
 * Web API stand-in. What a person does on the page reaches the bot exactly as Slack would send it
 * (signed slash commands, block actions and events), so the bot cannot tell the console from Slack.
 */
export async function startConsoleServer(options: ConsoleServerOptions): Promise<ConsoleServer> {
  const dir = webDir();
  const files = new Map<string, Buffer>();
  for (const name of new Set(Object.values(STATIC_FILES))) files.set(name, await readFile(`${dir}/${name}`));
  const bot: BotEndpoint = { url: options.botUrl, signingSecret: options.signingSecret };
  const { slack, logger } = options;
  const defaultUser = options.defaultUser ?? 'U0ALICE001';
  const streams = new Set<ServerResponse>();
  // Every open page holds one `change` listener; ten tabs are not a leak.
  slack.workspace.setMaxListeners(0);

  const server = createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      logger?.error({ err, url: req.url }, 'console: request failed');
      if (!res.headersSent) sendJson(res, 500, { ok: false, error: 'internal_error' });
      else res.destroy();
    });
  });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://console.local');
    const path = url.pathname;
    if (req.method === 'GET' && Object.hasOwn(STATIC_FILES, path)) {
      const name = STATIC_FILES[path];
      res.writeHead(200, {
        'content-type': CONTENT_TYPES[name.split('.').pop()!] ?? 'application/octet-stream',
        'cache-control': 'no-store',
        // Nothing on the page comes from the network: no CDN, no remote images.
        'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'",
      });
      res.end(files.get(name));
      return;
    }
    if (req.method === 'GET' && path === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    if (req.method === 'GET' && path === '/api/events') return openStream(req, res, url.searchParams.get('user') ?? defaultUser);
    if (req.method === 'GET' && path === '/api/cluster') {
      if (!options.clusterView) return sendJson(res, 404, { ok: false, error: 'no_cluster_view' });
      return sendJson(res, 200, await options.clusterView());
    }
    let m: RegExpExecArray | null;
    if (req.method === 'GET' && (m = /^\/files\/(F[A-Z0-9]+)\/[^/]+$/.exec(path))) return sendFile(res, m[1], url.searchParams.has('download'));
    if (req.method === 'POST' && path.startsWith('/api/')) return action(req, res, path);
    sendJson(res, 404, { ok: false, error: 'not_found' });
  }

  function openStream(req: IncomingMessage, res: ServerResponse, requested: string): void {
    // An unknown user (a stale bookmark, a typo in ?as=) gets the default view, not a dead page.
    const known = slack.workspace.user(requested);
    const me = known && !known.isBot ? requested : defaultUser;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' });
    const send = (event: FeedEvent) => res.write(`data: ${JSON.stringify(event)}\n\n`);
    // The state goes first on the same stream, so no change can fall between a snapshot and the feed.
    send({ type: 'state', state: consoleState(slack.workspace, me, Boolean(options.clusterView)) });
    const onChange = (change: WorkspaceChange) => {
      for (const e of feedEventsFor(slack.workspace, change, me)) send(e);
    };
    slack.workspace.on('change', onChange);
    const keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS);
    keepalive.unref();
    streams.add(res);
    req.on('close', () => {
      clearInterval(keepalive);
      slack.workspace.off('change', onChange);
      streams.delete(res);
    });
  }

  async function action(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    // A JSON content type makes a cross-site form post impossible without a CORS preflight,
    // which this server never grants: other pages in the browser cannot drive the console.
    if (!(req.headers['content-type'] ?? '').startsWith('application/json')) return sendJson(res, 415, { ok: false, error: 'json_required' });
    let raw: unknown;
    try {
      raw = JSON.parse((await readBody(req, MAX_ACTION_BODY)).toString('utf8'));
    } catch (err) {
      return sendJson(res, err instanceof BodyTooLargeError ? 413 : 400, { ok: false, error: 'invalid_json' });
    }
    const ws = slack.workspace;
    let outcome: ActionOutcome;
    try {
      switch (path) {
        case '/api/command': {
          const body = CommandBody.parse(raw);
          if (body.text.startsWith('/')) {
            outcome = await runSlashCommand(slack, bot, body, logger);
          } else {
            // An ordinary message: people talking, which :pushpin: can put on a timeline.
            ws.postMessage({ channel: body.channel, user: body.user, text: escapeText(body.text), ...(body.threadTs ? { threadTs: body.threadTs } : {}) });
            outcome = { ok: true, status: 200 };
          }
          break;
        }
        case '/api/action':
          outcome = await clickButton(slack, bot, ActionBody.parse(raw), logger);
          break;
        case '/api/reaction':
          outcome = await addReaction(slack, bot, ReactionBody.parse(raw), logger);
          break;
        case '/api/ephemeral/dismiss': {
          const body = ReactionBody.omit({ name: true }).parse(raw);
          ws.deleteEphemeral(body.channel, body.user, body.ts);
          outcome = { ok: true, status: 200 };
          break;
        }
        default:
          return sendJson(res, 404, { ok: false, error: 'not_found' });
      }
    } catch (err) {
      if (err instanceof z.ZodError) return sendJson(res, 400, { ok: false, error: 'invalid_arguments', detail: err.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
      if (err instanceof SlackMethodFailure) return sendJson(res, 400, { ok: false, error: err.slackError });
      throw err;
    }
    sendJson(res, 200, outcome);
  }

  function sendFile(res: ServerResponse, fileId: string, download: boolean): void {
    const file = slack.workspace.file(fileId);
    if (!file?.content) return sendJson(res, 404, { ok: false, error: 'file_not_found' });
    const textual = file.mimetype.startsWith('text/') || file.mimetype === 'application/json' || file.mimetype === 'application/x-yaml';
    res.writeHead(200, {
      // Shown as plain text in the browser: a Markdown postmortem reads fine that way, and
      // nothing in an uploaded file can run as a page of this origin.
      'content-type': textual && !download ? 'text/plain; charset=utf-8' : file.mimetype,
      'content-length': file.content.length,
      'content-disposition': `${download ? 'attachment' : 'inline'}; filename*=UTF-8''${encodeURIComponent(file.name)}`,
      'x-content-type-options': 'nosniff',
    });
    res.end(file.content);
  }

  const port = await listen(server, options.port ?? 3000, options.host ?? '127.0.0.1');
  logger?.debug({ port }, 'console started');
  return {
    url: `http://localhost:${port}`,
    port,
    close() {
      for (const s of streams) s.end();
      return new Promise((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') {
        reject(new ConfigError(`Port ${port} is in use, so the console cannot start.`, { cause: err, hint: `Pick another port: --port ${port + 1} (or --port 0 for any free one).` }));
      } else if (err.code === 'EACCES') {
        reject(new ConfigError(`Port ${port} needs privileges this user does not have.`, { cause: err, hint: 'Pick a port above 1024, e.g. --port 3000.' }));
      } else {
        reject(err);
      }
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}

/** Slack escapes these three in message text; the page un-escapes them when it renders. */
function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
