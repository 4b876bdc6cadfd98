import { resolve } from 'node:path';
import type { Logger } from 'pino';
import { parseAction, type ScenarioAction } from './scenarios/actions.js';
import { SCENARIOS } from './scenarios/index.js';
import { startSandbox } from './start-sandbox.js';

export const SANDBOX_USAGE = 'sitrep sandbox [--port N] [--scenario NAME] [--kubeconfig PATH] [--time-scale F] [--param key=value ...] [--action reboot|down|up:NODE[@AFTER][/DOWN] ...] [--http]';

export interface SandboxCliIo {
  /** @defaultValue writes to process.stdout */
  out?: (line: string) => void;
  /** @defaultValue writes to process.stderr */
  err?: (line: string) => void;
  /** Stops the sandbox like SIGINT does (for tests and embedding).
   * @defaultValue none; SIGINT and SIGTERM always stop it */
  signal?: AbortSignal;
  logger?: Logger;
}

interface CliArgs {
  port: number;
  scenario: string;
  kubeconfig?: string;
  timeScale: number;
  params: Record<string, string | number>;
  /** Plain http (the old insecure port) instead of https with authentication. */
  http: boolean;
  actions: ScenarioAction[];
}

class UsageError extends Error {}

function parseArgs(argv: readonly string[]): CliArgs {
  const args: CliArgs = { port: 0, scenario: 'maintenance', timeScale: 1, params: {}, http: false, actions: [] };
  for (let i = 0; i < argv.length; i++) {
    const raw = argv[i];
    const eq = raw.startsWith('--') ? raw.indexOf('=') : -1;
    const flag = eq > 0 ? raw.slice(0, eq) : raw;
    const value = (): string => {
      const v = eq > 0 ? raw.slice(eq + 1) : argv[++i];
      if (v === undefined || v === '') throw new UsageError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--port': {
        const v = value();
        const n = Number(v);
        if (!/^\d+$/.test(v) || n > 65535) throw new UsageError(`--port must be a number from 0 to 65535, not "${v}"`);
        args.port = n;
        break;
      }
      case '--scenario':
        args.scenario = value();
        break;
      case '--kubeconfig':
        args.kubeconfig = resolve(value());
        break;
      case '--time-scale': {
        const v = value();
        const n = Number(v);
        if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--time-scale must be a positive number (1 = real time, 0.1 = 10x faster), not "${v}"`);
        args.timeScale = n;
        break;
      }
      case '--param': {
        const v = value();
        const at = v.indexOf('=');
        if (at <= 0) throw new UsageError(`--param takes key=value, not "${v}"`);
        const pv = v.slice(at + 1);
        args.params[v.slice(0, at)] = /^-?\d+(\.\d+)?$/.test(pv) ? Number(pv) : pv;
        break;
      }
      case '--action':
        try {
          args.actions.push(parseAction(value()));
        } catch (e) {
          throw new UsageError((e as Error).message);
        }
        break;
      case '--http':
        if (eq > 0) throw new UsageError('--http takes no value');
        args.http = true;
        break;
      default:
        throw new UsageError(`unknown ${raw.startsWith('-') ? 'flag' : 'argument'} "${raw}"`);
    }
  }
  if (!Object.hasOwn(SCENARIOS, args.scenario)) throw new UsageError(`unknown scenario "${args.scenario}"`);
  return args;
}

function scenarioList(): string {
  return Object.keys(SCENARIOS).join(', ');
}

/**
 * `sitrep sandbox`: serves the simulated cluster on 127.0.0.1 until SIGINT/SIGTERM (or io.signal),
 * then closes everything. Resolves with the exit code: 0 after a clean stop, 2 for bad usage,
 * 1 when the sandbox cannot start (e.g. the port is taken).
 */
export async function runSandboxCli(argv: readonly string[], io: SandboxCliIo = {}): Promise<number> {
  const out = io.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  const err = io.err ?? ((line: string) => process.stderr.write(`${line}\n`));
  if (argv.includes('--help') || argv.includes('-h')) {
    out(`Usage: ${SANDBOX_USAGE}\nScenarios: ${scenarioList()}`);
    return 0;
  }
  let args: CliArgs;
  try {
    args = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    err(`sitrep sandbox: ${e.message}. Usage: ${SANDBOX_USAGE}. Scenarios: ${scenarioList()}.`);
    return 2;
  }

  let sandbox;
  try {
    sandbox = await startSandbox({
      scenario: args.scenario,
      params: args.params,
      port: args.port,
      timeScale: args.timeScale,
      tls: !args.http,
      actions: args.actions,
      ...(args.kubeconfig ? { kubeconfigPath: args.kubeconfig } : {}),
      ...(io.logger ? { logger: io.logger } : {}),
    });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'EADDRINUSE' ? `port ${args.port} is in use; pick another with --port, or omit it for a free one` : (e as Error).message;
    err(`sitrep sandbox: cannot start: ${why}`);
    return 1;
  }

  out(`sitrep sandbox: scenario "${args.scenario}" serving on ${sandbox.url}`);
  out(`port: ${sandbox.port}`);
  out(`kubeconfig: ${sandbox.kubeconfigPath}`);
  out(`try: kubectl --kubeconfig ${sandbox.kubeconfigPath} get nodes,pods -A`);
  for (const a of args.actions) out(`action: ${a.action} ${a.node} after ${a.afterSeconds ?? 0} s${a.action === 'reboot' ? `, down ${a.downSeconds ?? 30} s` : ''} (simulated)`);
  out(`node admin: POST ${sandbox.url}/debug/sandbox/nodes/NODE/reboot|down|up (as the admin)`);
  out(`API outage: POST ${sandbox.url}/debug/sandbox/faults/outage?durationMs=MS[&afterEvictions=N][&mode=reset|refuse|503|429] (as the admin)`);
  out('Ctrl-C stops it.');

  await new Promise<void>((done) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      io.signal?.removeEventListener('abort', stop);
      done();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    if (io.signal?.aborted) stop();
    else io.signal?.addEventListener('abort', stop, { once: true });
  });
  await sandbox.close();
  out('sitrep sandbox: stopped.');
  return 0;
}
