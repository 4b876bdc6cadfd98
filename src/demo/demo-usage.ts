import { BadArgsError, describeError } from '../core/errors.js';
import { SCENARIOS } from '../sandbox/scenarios/index.js';

/**
 * `sitrep demo --help`. Apart from the demo, which loads the bot, worker, sandbox and console:
 * main.ts prints it without loading any of them, so the help comes at once.
 */
export const DEMO_USAGE = `Usage: sitrep demo [--port 3000] [--scenario maintenance] [--time-scale 0.1]

  --port N          port of the console web page (0 picks a free one)       default 3000
  --scenario NAME   sandbox cluster to start: ${Object.keys(SCENARIOS).join(', ')}   default maintenance
  --time-scale X    multiplies simulated durations (grace periods, starts)   default 0.1

Redis: REDIS_URL if set, else a throwaway redis-server from PATH.`;

/**
 * `sitrep demo`'s flags. Defaults: port 3000, scenario maintenance, time scale 0.1.
 * @throws BadArgsError for an unknown flag, a flag without its value or a value out of range.
 */
export function parseDemoArgs(argv: string[]): { port: number; scenario: string; timeScale: number } | { help: true } {
  const out = { port: 3000, scenario: 'maintenance', timeScale: 0.1 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') return { help: true };
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    if (!['--port', '--scenario', '--time-scale'].includes(name)) throw new BadArgsError(`Unknown option "${arg}".`, { hint: DEMO_USAGE });
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || value === '') throw new BadArgsError(`${name} needs a value.`, { hint: DEMO_USAGE });
    if (name === '--port') {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 0 || n > 65535) throw new BadArgsError(`--port must be a port number (0-65535), got "${value}".`, { hint: DEMO_USAGE });
      out.port = n;
    } else if (name === '--scenario') {
      out.scenario = value;
    } else {
      const x = Number(value);
      if (!(x > 0 && x <= 10)) throw new BadArgsError(`--time-scale must be a number above 0 and at most 10, got "${value}".`, { hint: DEMO_USAGE });
      out.timeScale = x;
    }
  }
  return out;
}

/**
 * Parses the flags, or answers by itself: prints the help (returns 0) or the usage error with the
 * help (returns 2, a usage error as for every subcommand). Loads nothing of the demo, so main.ts
 * calls it before importing the demo.
 */
export function parseDemoArgsOrExit(argv: string[]): { port: number; scenario: string; timeScale: number } | number {
  let args: ReturnType<typeof parseDemoArgs>;
  try {
    args = parseDemoArgs(argv);
  } catch (err) {
    const d = describeError(err);
    console.error(`sitrep demo: ${d.message}\n\n${d.hint ?? DEMO_USAGE}`);
    return 2;
  }
  if ('help' in args) {
    console.log(DEMO_USAGE);
    return 0;
  }
  return args;
}
