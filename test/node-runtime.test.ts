import { execFile } from 'node:child_process';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

/**
 * `npm ci` brings Node 24 from the npm registry (package.json's optionalDependencies, one package
 * per platform) and links it as node_modules/.bin/node; npm scripts put that folder first on PATH,
 * so `npm test` and `npm start` run on it even where the system Node is older.
 */
const root = join(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { engines: { node: string }; optionalDependencies: Record<string, string> };
const localNode = join(root, 'node_modules', '.bin', 'node');
const platformPackage = `node-${process.platform === 'win32' ? 'win' : process.platform}-${process.arch}`;
const installed = existsSync(localNode);
if (!installed) console.warn(`[skip] the npm-registry Node: ${platformPackage} is not installed here (not in optionalDependencies, or npm skipped it); tests run on the system Node ${process.version}.`);

const major = (version: string) => Number(version.replace(/^v/, '').split('.')[0]);
const run = promisify(execFile);
/** PATH as outside npm: without node_modules/.bin, so `node` is the system one. */
const systemPath = (process.env.PATH ?? '').split(delimiter).filter((dir) => !/node_modules[\\/]\.bin$/.test(dir)).join(delimiter);

describe('the Node that runs sitrep', () => {
  it('is at least the major of package.json engines, in this vitest worker', () => {
    expect(major(process.version)).toBeGreaterThanOrEqual(major(/\d+/.exec(pkg.engines.node)![0]));
  });

  it.skipIf(!installed)('is the npm-registry Node of optionalDependencies: in this vitest worker fork, and for npm run from a PATH without it', async () => {
    expect(realpathSync(process.execPath)).toBe(realpathSync(localNode));
    expect(process.version).toBe(`v${pkg.optionalDependencies[platformPackage]}`);
    // As on a fresh machine: npm found on a PATH without node_modules/.bin runs on the system Node,
    // and still runs the project's commands on the local one.
    const { stdout } = await run('npm', ['exec', '--offline', '--', 'node', '-p', 'process.version'], { cwd: root, env: { ...process.env, PATH: systemPath }, timeout: 30_000 });
    expect(stdout.trim()).toBe(process.version);
  });

  it('bin/sitrep.js on an older system Node stops at once and names the commands that run on Node 24', async (ctx) => {
    const env = { ...process.env, PATH: systemPath };
    const system = await run('node', ['-p', 'process.version'], { env }).then((r) => r.stdout.trim(), () => undefined);
    if (!system || major(system) >= 24) {
      console.warn(`[skip] bin/sitrep.js version guard: the system Node is ${system ?? 'missing'}, not older than 24`);
      ctx.skip();
    }
    const failed = await run('node', [join(root, 'bin', 'sitrep.js'), 'config'], { cwd: root, env }).then(() => undefined, (err: { code?: number; stderr?: string }) => err);
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toContain(`sitrep needs Node 24 or later; this is Node ${system}`);
    expect(failed?.stderr).toContain('npm start');
  });
});
