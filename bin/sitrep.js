#!/usr/bin/env node
// Entry for `npx sitrep` and `npm start`. A source checkout runs the TypeScript directly through
// tsx, so a fresh clone needs no build and a stale dist/ is never run by mistake; an installed
// image (no src/main.ts, only dist/) runs the built JavaScript. SITREP_FROM_DIST=1 forces dist/.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

// Before anything is imported: on an older Node, client-node 2 (through undici 8) fails to load with
// a TypeError that names neither Node nor the fix. Keep in step with package.json's engines.
const NODE_MAJOR = 24;
if (Number(process.versions.node.split('.')[0]) < NODE_MAJOR) {
  const local = join(root, 'node_modules', '.bin', 'node');
  console.error(
    `sitrep needs Node ${NODE_MAJOR} or later; this is Node ${process.version} (${process.execPath}).\n` +
      (existsSync(local)
        ? `Run it through npm, which puts the Node ${NODE_MAJOR} that \`npm ci\` installed first on PATH:\n  npm start    npm run sitrep -- ARGS    npx sitrep ARGS`
        : `No Node ${NODE_MAJOR} in node_modules/.bin: run \`npm ci\`, which brings one where the npm registry has it for this platform (see the README), or install Node ${NODE_MAJOR}.`),
  );
  // 1, a configuration failure (README, exit codes): the command line was right, the machine is not.
  process.exit(1);
}

const source = join(root, 'src', 'main.ts');
const built = join(root, 'dist', 'main.js');
if (existsSync(source) && !process.env.SITREP_FROM_DIST) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(source).href);
} else {
  await import(pathToFileURL(built).href);
}
