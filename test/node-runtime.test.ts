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

describe('the Node that runs sitrep', () => {
  it('is at least the major of package.json engines, in this vitest worker', () => {
    expect(major(process.version)).toBeGreaterThanOrEqual(major(/\d+/.exec(pkg.engines.node)![0]));
  });

  it.skipIf(!installed)('is the npm-registry Node of optionalDependencies: in this vitest worker fork, and for npm run from a PATH without it', async () => {
    expect(realpathSync(process.execPath)).toBe(realpathSync(localNode));
    expect(process.version).toBe(`v${pkg.optionalDependencies[platformPackage]}`);
    // As on a fresh machine: npm found on a PATH without node_modules/.bin runs on the system Node,
    // and still runs the project's commands on the local one.
    const PATH = (process.env.PATH ?? '').split(delimiter).filter((dir) => !/node_modules[\\/]\.bin$/.test(dir)).join(delimiter);
    const { stdout } = await promisify(execFile)('npm', ['exec', '--offline', '--', 'node', '-p', 'process.version'], { cwd: root, env: { ...process.env, PATH }, timeout: 30_000 });
    expect(stdout.trim()).toBe(process.version);
  });
});
