#!/usr/bin/env node
// `npm run build`: the built sitrep is one ES module bundle per role in dist/ (esbuild: tree-shaken,
// minified, split at the per-role dynamic imports of src/main.ts), so the image needs no
// node_modules and an idle bot or worker loads only the code its role runs. Type checking is
// `npm run typecheck`; esbuild only strips types.
import { cp, mkdir, readdir, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
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
  // A native addon cannot be bundled: resvg (the postmortem chart) is loaded from dist/node_modules.
  external: ['@resvg/resvg-js'],
  // Some dependencies are CommonJS that call require(); give the ES module bundle one.
  banner: { js: "import { createRequire as __sitrepRequire } from 'node:module'; const require = __sitrepRequire(import.meta.url);" },
});
const bytes = Object.entries(result.metafile.outputs).filter(([f]) => f.endsWith('.js')).reduce((n, [, o]) => n + o.bytes, 0);
console.log(`build: dist/main.js and ${Object.keys(result.metafile.outputs).filter((f) => f.endsWith('.js')).length - 1} chunks, ${(bytes / 1048576).toFixed(1)} MB`);

// The chart's renderer and font, beside the bundle where its import and require.resolve find them:
// @resvg/resvg-js with the platform package npm installed for this machine, and the two DejaVu
// Sans files the chart uses. Without the platform package (npm ci --omit=optional skips it) the
// bot still runs and says the chart could not be drawn.
const modules = join(outdir, 'node_modules');
await mkdir(join(modules, '@resvg'), { recursive: true });
await cp(join(root, 'node_modules', '@resvg', 'resvg-js'), join(modules, '@resvg', 'resvg-js'), { recursive: true });
const platforms = (await readdir(join(root, 'node_modules', '@resvg'))).filter((d) => d.startsWith('resvg-js-'));
for (const p of platforms) await cp(join(root, 'node_modules', '@resvg', p), join(modules, '@resvg', p), { recursive: true });
if (platforms.length === 0) console.warn('build: no @resvg/resvg-js platform package installed: the postmortem chart will be unavailable');
const fonts = join(modules, 'dejavu-fonts-ttf');
await mkdir(join(fonts, 'ttf'), { recursive: true });
await cp(join(root, 'node_modules', 'dejavu-fonts-ttf', 'package.json'), join(fonts, 'package.json'));
for (const f of ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf', '../LICENSE']) {
  const from = join(root, 'node_modules', 'dejavu-fonts-ttf', 'ttf', f);
  if (existsSync(from)) await cp(from, join(fonts, 'ttf', f));
}
console.log(`build: chart renderer (${platforms.join(', ') || 'no platform binary'}) and DejaVu Sans in dist/node_modules`);
