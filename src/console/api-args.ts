import type { Block, Json } from './slack-objects.js';
import { SlackMethodFailure } from './slack-method-failure.js';

/**
 * Web API arguments as they arrive: form fields are strings (the SDK JSON-encodes arrays and
 * objects and writes booleans as `true`/`false`), JSON bodies carry real types. These readers
 * accept both, so a handler never cares which encoding the client chose.
 */
export type ApiArgs = Record<string, unknown>;

export function str(args: ApiArgs, key: string): string | undefined {
  const v = args[key];
  if (v === undefined || v === null || v === '') return undefined;
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
}

export function bool(args: ApiArgs, key: string): boolean | undefined {
  const v = args[key];
  if (v === undefined || v === null || v === '') return undefined;
  return v === true || v === 'true' || v === '1' || v === 1;
}

export function int(args: ApiArgs, key: string): number | undefined {
  const v = args[key];
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'number' ? v : Number.parseInt(String(v), 10);
  return Number.isFinite(n) ? n : undefined;
}

/** A JSON argument (given as a JSON string in forms); `badFormat` is Slack's error when it does not parse. */
export function json(args: ApiArgs, key: string, badFormat: string): Json | undefined {
  const v = args[key];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') return v as Json;
  try {
    return JSON.parse(v) as Json;
  } catch {
    throw new SlackMethodFailure(badFormat);
  }
}

/** `blocks`: undefined when absent; an array or `invalid_blocks_format`. */
export function blocksArg(args: ApiArgs): Block[] | undefined {
  const v = json(args, 'blocks', 'invalid_blocks_format');
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) throw new SlackMethodFailure('invalid_blocks_format');
  return v as Block[];
}

export function required(value: string | undefined, error: string): string {
  if (value === undefined) throw new SlackMethodFailure(error);
  return value;
}
