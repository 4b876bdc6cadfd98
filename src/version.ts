import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What `sitrep version` prints and `sitrep_build_info` exports. */
export interface VersionInfo {
  version: string;
  /** Short git commit: SITREP_COMMIT (set when the image is built), else the checkout's HEAD, else `unknown`. */
  commit: string;
  node: string;
}

function packageRoot(): string {
  // src/version.ts in a checkout, dist/src/version.js in the image: package.json is one or two levels up.
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 3 && !existsSync(join(dir, 'package.json')); i++) dir = dirname(dir);
  return dir;
}

let cached: VersionInfo | undefined;

/** The version of this sitrep, read once. */
export function versionInfo(): VersionInfo {
  if (cached) return cached;
  const root = packageRoot();
  const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: string }).version ?? '0.0.0';
  let commit = process.env.SITREP_COMMIT?.trim() || '';
  if (!commit && existsSync(join(root, '.git'))) {
    try {
      commit = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      // No git on PATH: say so below rather than fail.
    }
  }
  cached = { version, commit: commit || 'unknown', node: process.version };
  return cached;
}
