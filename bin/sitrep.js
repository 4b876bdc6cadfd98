#!/usr/bin/env node
// Entry for `npx sitrep` and `npm start`. A built tree (dist/, as in the container image) runs as
// plain JavaScript; a source checkout runs the TypeScript directly through tsx, so a fresh clone
// needs no build step before `npm start`.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'dist', 'src', 'main.js');
if (existsSync(built) && !process.env.SITREP_FROM_SOURCE) {
  await import(pathToFileURL(built).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(join(root, 'src', 'main.ts')).href);
}
