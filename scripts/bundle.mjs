#!/usr/bin/env node
// `npm run build`: the built sitrep is one ES module bundle per role in dist/ (esbuild: tree-shaken,
// minified, split at the per-role dynamic imports of src/main.ts), so the image needs no
// node_modules and an idle bot or worker loads only the code its role runs. Type checking is
// `npm run typecheck`; esbuild only strips types.
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist');
await rm(outdir, { recursive: true, force: true });
const result = await build({
  entryPoints: [join(root, 'src', 'main.ts')],
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node24',
  minify: true,
  sourcemap: 'linked',
  metafile: true,
  logLevel: 'warning',
  // Some dependencies are CommonJS that call require(); give the ES module bundle one.
  banner: { js: "import { createRequire as __sitrepRequire } from 'node:module'; const require = __sitrepRequire(import.meta.url);" },
});
const bytes = Object.entries(result.metafile.outputs).filter(([f]) => f.endsWith('.js')).reduce((n, [, o]) => n + o.bytes, 0);
console.log(`build: dist/main.js and ${Object.keys(result.metafile.outputs).filter((f) => f.endsWith('.js')).length - 1} chunks, ${(bytes / 1048576).toFixed(1)} MB`);
