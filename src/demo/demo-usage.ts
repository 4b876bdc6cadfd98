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
