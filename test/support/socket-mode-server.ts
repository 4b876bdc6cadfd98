import { randomBytes, randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import {
  blockActionPayload, type BlockActionInput, eventCallbackPayload, type EventOptions, type Json, LocalWorkspace,
  type SlackApiServer, slashCommandPayload, type SlashCommandInput,
} from '../../src/console/index.js';

/**
 * Slack's side of Socket Mode on loopback, for tests (it needs `ws`, a devDependency, so it lives
 * here and not in src/console). Attached to the Web API stand-in, whose `apps.connections.open`
 * then hands out this server's `ws://` URL; the app connects, gets `hello`, and receives
 * envelopes with the payloads Slack sends over Socket Mode, which it acks by `envelope_id`.
 */

export const EnvelopeType = { SlashCommands: 'slash_commands', Interactive: 'interactive', EventsApi: 'events_api' } as const;
export type EnvelopeType = (typeof EnvelopeType)[keyof typeof EnvelopeType];

/** Why Slack asks a client to reconnect (`{"type":"disconnect","reason":…}`). */
export const DisconnectReason = { Warning: 'warning', RefreshRequested: 'refresh_requested', LinkDisabled: 'link_disabled' } as const;
export type DisconnectReason = (typeof DisconnectReason)[keyof typeof DisconnectReason];

/** What the app sent back for one envelope. */
export interface SocketModeAck {
  envelopeId: string;
  type: EnvelopeType;
  /**
   * The `payload` sent with the ack, if any. Bolt's SocketModeClient always sends one: `{}` for a
   * bare `ack()`, the response body (e.g. an ephemeral message) for `ack(body)`.
   */
  payload?: Record<string, unknown>;
  /** Milliseconds from sending the envelope to receiving its ack. */
  ms: number;
  /** The connection the ack came over. */
  connectionId: number;
}

/** How a connection ended. */
export interface SocketModeClose {
  connectionId: number;
  code: number;
  reason: string;
  /** Who sent the first close frame (or `server` for a terminate). */
  initiatedBy: 'client' | 'server';
}

export interface SocketModeServerOptions {
  /** The Web API stand-in; its `apps.connections.open` will hand out this server's URLs. */
  slack: SlackApiServer;
  /** @defaultValue '127.0.0.1' */
  host?: string;
  /**
   * How long a send waits for the ack. Slack itself gives up after 3 s; the bench measures that,
   * this only has to catch a lost ack on a loaded machine.
   * @defaultValue 10000
   */
  ackTimeoutMs?: number;
  /** Interval between the server's pings, as Slack pings its clients; 0 for none. @defaultValue 5000 */
  pingIntervalMs?: number;
}

export interface SendOptions {
  /** @defaultValue the server's ackTimeoutMs */
  timeoutMs?: number;
}

export interface EventSendOptions extends SendOptions, EventOptions {
  /** Set on Slack's redeliveries. @defaultValue 0 */
  retryAttempt?: number;
  /** @defaultValue '' ('timeout' on a redelivery) */
  retryReason?: string;
}

interface Connection {
  id: number;
  ws: WebSocket;
  serverClosing: boolean;
  ping?: NodeJS.Timeout;
}

interface Pending {
  type: EnvelopeType;
  sentAt: number;
  connectionId: number;
  resolve: (ack: SocketModeAck) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

/** How many recent frames a failure message lists. */
const RECENT_SHOWN = 10;

export class SocketModeServer extends EventEmitter<{ change: [] }> {
  /** `ws://host:port`; connection URLs add `/link/?ticket=…&app_id=…`. */
  readonly origin: string;
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly open = new Map<number, Connection>();
  private readonly pending = new Map<string, Pending>();
  private readonly tickets = new Set<string>();
  private readonly closeLog: SocketModeClose[] = [];
  private readonly frames: string[] = [];
  private readonly ackTimeoutMs: number;
  private readonly pingIntervalMs: number;
  private nextId = 1;
  private accepted = 0;

  /** @internal Use {@link startSocketModeServer}. */
  constructor(private readonly http: Server, private readonly slack: SlackApiServer, options: SocketModeServerOptions) {
    super();
    const { address, port } = http.address() as AddressInfo;
    this.origin = `ws://${address.includes(':') ? `[${address}]` : address}:${port}`;
    this.ackTimeoutMs = options.ackTimeoutMs ?? 10_000;
    this.pingIntervalMs = options.pingIntervalMs ?? 5_000;
    http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head));
    http.on('request', (_req, res) => {
      res.writeHead(426, { 'content-type': 'text/plain' }).end('Socket Mode: connect with a WebSocket to the URL from apps.connections.open');
    });
    slack.serveSocketMode(() => this.issueUrl());
  }

  /** A fresh single-use connection URL, as `apps.connections.open` returns. */
  issueUrl(): string {
    const ticket = randomBytes(16).toString('hex');
    this.tickets.add(ticket);
    return `${this.origin}/link/?ticket=${ticket}&app_id=${LocalWorkspace.appId}`;
  }

  /** Open connections now. */
  connectionCount(): number {
    return this.open.size;
  }

  /** Connections accepted since the start (reconnects count again). */
  acceptedCount(): number {
    return this.accepted;
  }

  /** How closed connections ended, oldest first. */
  closes(): SocketModeClose[] {
    return this.closeLog.map((c) => ({ ...c }));
  }

  /** Resolves once `predicate()` holds, re-checked on every connect, close and frame. */
  waitFor(predicate: () => boolean, options: { timeoutMs?: number; label?: string } = {}): Promise<void> {
    if (predicate()) return Promise.resolve();
    const timeoutMs = options.timeoutMs ?? 10_000;
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!predicate()) return;
        cleanup();
        resolve();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`socket mode: timed out after ${timeoutMs} ms waiting for ${options.label ?? 'a condition'}; ${this.describe()}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.off('change', check);
      };
      this.on('change', check);
    });
  }

  /** Sends a slash command as a `slash_commands` envelope; resolves with the app's ack. */
  sendSlashCommand(cmd: SlashCommandInput, options: SendOptions = {}): Promise<SocketModeAck> {
    return this.send(EnvelopeType.SlashCommands, slashCommandPayload(cmd), { accepts_response_payload: true }, options);
  }

  /** Sends a button click as an `interactive` envelope (the block_actions payload object). */
  sendBlockAction(action: BlockActionInput, options: SendOptions = {}): Promise<SocketModeAck> {
    return this.send(EnvelopeType.Interactive, blockActionPayload(action), { accepts_response_payload: false }, options);
  }

  /** Sends an Events API callback as an `events_api` envelope (the event_callback object). */
  sendEvent(event: { type: string; [key: string]: Json | undefined }, options: EventSendOptions = {}): Promise<SocketModeAck> {
    const attempt = options.retryAttempt ?? 0;
    return this.send(
      EnvelopeType.EventsApi,
      eventCallbackPayload(event, options),
      { accepts_response_payload: false, retry_attempt: attempt, retry_reason: options.retryReason ?? (attempt > 0 ? 'timeout' : '') },
      options,
    );
  }

  /** Asks every open connection to reconnect, as Slack does when it recycles a link. */
  sendDisconnect(reason: DisconnectReason = DisconnectReason.RefreshRequested): void {
    for (const c of this.open.values()) this.frame(c, { type: 'disconnect', reason, debug_info: { host: 'applink-local' } });
  }

  /** Recent frames in both directions, for failure messages. */
  describe(): string {
    const open = [...this.open.keys()].join(', ') || 'none';
    const frames = this.frames.slice(-RECENT_SHOWN).map((f) => `  ${f}`).join('\n') || '  (no frames)';
    return `open connections: ${open}; accepted ${this.accepted}; recent frames:\n${frames}`;
  }

  async close(): Promise<void> {
    this.slack.serveSocketMode(undefined);
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new Error(`socket mode: server closed before the ack for ${p.type} envelope ${id}`));
    }
    this.pending.clear();
    for (const c of this.open.values()) {
      c.serverClosing = true;
      clearInterval(c.ping);
      c.ws.terminate();
    }
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    await new Promise<void>((resolve, reject) => {
      this.http.close((err) => (err ? reject(err) : resolve()));
      this.http.closeAllConnections();
    });
  }

  // ---- internals ------------------------------------------------------------------------------

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://local');
    const ticket = url.searchParams.get('ticket') ?? '';
    // A link URL works once, as Slack's do: a client that reconnects must call apps.connections.open again.
    if (url.pathname.replace(/\/$/, '') !== '/link' || !this.tickets.delete(ticket)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\ninvalid or used Socket Mode ticket\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
  }

  private accept(ws: WebSocket): void {
    const c: Connection = { id: this.nextId++, ws, serverClosing: false };
    this.open.set(c.id, c);
    this.accepted += 1;
    ws.on('message', (data, isBinary) => this.receive(c, data, isBinary));
    ws.on('close', (code, reason) => {
      clearInterval(c.ping);
      this.open.delete(c.id);
      this.closeLog.push({ connectionId: c.id, code, reason: reason.toString(), initiatedBy: c.serverClosing ? 'server' : 'client' });
      this.frames.push(`#${c.id} closed (${code}${c.serverClosing ? ', by the server' : ''})`);
      for (const [id, p] of this.pending) {
        if (p.connectionId !== c.id) continue;
        clearTimeout(p.timer);
        this.pending.delete(id);
        p.reject(new Error(`socket mode: connection #${c.id} closed (${code}) before the ack for ${p.type} envelope ${id}`));
      }
      this.emit('change');
    });
    ws.on('error', () => {}); // a reset shows up as 'close' too; nothing else to do here
    if (this.pingIntervalMs > 0) {
      c.ping = setInterval(() => ws.ping(Buffer.from(`ping ${Date.now()}`)), this.pingIntervalMs);
      c.ping.unref();
    }
    this.frame(c, {
      type: 'hello',
      num_connections: this.open.size,
      debug_info: { host: 'applink-local', build_number: 1, approximate_connection_time: 18_060 },
      connection_info: { app_id: LocalWorkspace.appId },
    });
    this.emit('change');
  }

  private receive(c: Connection, data: RawData, isBinary: boolean): void {
    const text = isBinary ? '(binary)' : Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(Array.isArray(data) ? data : [Buffer.from(data)]).toString('utf8');
    this.frames.push(`#${c.id} <- ${truncate(text)}`);
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      message = undefined;
    }
    const envelopeId = isRecord(message) && typeof message.envelope_id === 'string' ? message.envelope_id : undefined;
    const p = envelopeId ? this.pending.get(envelopeId) : undefined;
    if (envelopeId && p && isRecord(message)) {
      clearTimeout(p.timer);
      this.pending.delete(envelopeId);
      p.resolve({
        envelopeId,
        type: p.type,
        ...(isRecord(message.payload) ? { payload: message.payload } : {}),
        ms: performance.now() - p.sentAt,
        connectionId: c.id,
      });
    }
    this.emit('change');
  }

  private send(type: EnvelopeType, payload: Record<string, Json>, extra: Record<string, Json>, options: SendOptions): Promise<SocketModeAck> {
    // Slack delivers each envelope over one of the app's connections; the newest is the one a
    // reconnecting client keeps.
    const c = [...this.open.values()].filter((x) => !x.serverClosing).at(-1);
    if (!c) return Promise.reject(new Error(`socket mode: no open connection to send ${type} over (is the bot started with appToken?); ${this.describe()}`));
    const envelopeId = randomUUID();
    const timeoutMs = options.timeoutMs ?? this.ackTimeoutMs;
    return new Promise<SocketModeAck>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(envelopeId);
        reject(new Error(`socket mode: no ack for ${type} envelope ${envelopeId} within ${timeoutMs} ms; ${this.describe()}`));
      }, timeoutMs);
      this.pending.set(envelopeId, { type, sentAt: performance.now(), connectionId: c.id, resolve, reject, timer });
      this.frame(c, { envelope_id: envelopeId, payload, type, ...extra });
    });
  }

  private frame(c: Connection, message: Record<string, Json>): void {
    const text = JSON.stringify(message);
    this.frames.push(`#${c.id} -> ${truncate(text)}`);
    c.ws.send(text);
  }
}

/** Starts the Socket Mode endpoint on loopback and attaches it to the stand-in's `apps.connections.open`. */
export async function startSocketModeServer(options: SocketModeServerOptions): Promise<SocketModeServer> {
  const http = createServer();
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(0, options.host ?? '127.0.0.1', () => {
      http.off('error', reject);
      resolve();
    });
  });
  return new SocketModeServer(http, options.slack, options);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function truncate(s: string): string {
  return s.length > 160 ? `${s.slice(0, 157)}...` : s;
}
