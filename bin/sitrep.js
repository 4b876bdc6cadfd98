#!/usr/bin/env node
// Entry for `npx sitrep` and `npm start`. A source checkout runs the TypeScript directly through
// tsx, so a fresh clone needs no build and a stale dist/ is never run by mistake; an installed
// image (no src/main.ts, only dist/) runs the built JavaScript. SITREP_FROM_DIST=1 forces dist/.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'src', 'main.ts');
const built = join(root, 'dist', 'src', 'main.js');
if (existsSync(source) && !process.env.SITREP_FROM_DIST) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(source).href);
} else {
  await import(pathToFileURL(built).href);
}
