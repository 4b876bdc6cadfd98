#!/usr/bin/env node
// Enforces DESIGN.md's folder table: which layer may import which, and no circular imports.
// Reads import specifiers as text (fast, no build needed); type-only imports count too, because
// a type dependency is still a dependency of meaning.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');

/** Layer of a file, by path; undefined for files outside the layered tree (tests, scripts). */
function layerOf(file) {
  const rel = relative(root, file).replaceAll('\\', '/');
  if (/\.test\.ts$/.test(rel)) return undefined;
  if (rel.startsWith('commands/')) return 'commands';
  if (rel.startsWith('jobs/')) return 'jobs';
  const m = /^src\/([^/]+)\//.exec(rel);
  if (m) return m[1];
  // The CLI entry and what it reads before choosing a role; any other loose file in src/ has no layer.
  if (/^src\/(main|config|log|version|kubeconfig-context)\.ts$/.test(rel)) return 'top';
  if (/^src\/[^/]+\.ts$/.test(rel)) return 'loose';
  return undefined;
}

const ALLOWED = {
  core: [],
  commands: ['core'],
  jobs: ['k8s', 'core'],
  k8s: ['core'],
  sandbox: ['core'],
  console: ['core'],
  approval: ['core'],
  incident: ['core'],
  alerts: ['core', 'incident'],
  runbooks: ['core'],
  queue: ['core', 'jobs'],
  requests: ['core', 'approval', 'queue', 'incident', 'runbooks'],
  // chat also wires the bot process: its Redis connections, the job event stream it reads, and
  // the queue depth and workers `/k8s status` shows. It never decides a request's state.
  chat: ['core', 'commands', 'requests', 'approval', 'queue', 'incident', 'alerts', 'runbooks'],
  ops: ['core'],
  // The worker reads approval records to check a signed execution against (approval/ holds no Slack).
  worker: ['core', 'queue', 'jobs', 'k8s', 'ops', 'approval'],
  demo: null, // composes everything on loopback
  top: null, // src/main.ts, src/config.ts, src/log.ts: the CLI entry, per-role lazy imports
};

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (p.endsWith('.ts') && !p.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

const files = ['src', 'commands', 'jobs'].flatMap((d) => { try { return walk(join(root, d)); } catch { return []; } });
const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
const graph = new Map();
const problems = [];

for (const file of files) {
  const text = readFileSync(file, 'utf8');
  const deps = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2];
    if (!spec.startsWith('.')) continue;
    const target = resolve(dirname(file), spec).replace(/\.js$/, '.ts');
    deps.push(target);
    const from = layerOf(file);
    const to = layerOf(target);
    if (!from || !to || from === to) continue;
    const allowed = ALLOWED[from];
    if (allowed === undefined) problems.push(`${relative(root, file)}: layer "${from}" is not in DESIGN.md's table`);
    else if (allowed !== null && !allowed.includes(to)) {
      problems.push(`${relative(root, file)} imports ${relative(root, target)}: ${from}/ may import only ${allowed.join(', ') || 'nothing of ours'}`);
    }
  }
  graph.set(file, deps);
}

// Cycle detection: iterative DFS with colours.
const colour = new Map();
function visit(start) {
  const stack = [[start, 0]];
  const path = [start];
  colour.set(start, 1);
  while (stack.length) {
    const top = stack[stack.length - 1];
    const deps = graph.get(top[0]) ?? [];
    if (top[1] >= deps.length) {
      colour.set(top[0], 2);
      stack.pop();
      path.pop();
      continue;
    }
    const next = deps[top[1]++];
    if (!graph.has(next)) continue;
    const c = colour.get(next) ?? 0;
    if (c === 1) {
      const cycle = path.slice(path.indexOf(next)).concat(next).map((f) => relative(root, f));
      problems.push(`circular import: ${cycle.join(' -> ')}`);
    } else if (c === 0) {
      colour.set(next, 1);
      stack.push([next, 0]);
      path.push(next);
    }
  }
}
for (const f of graph.keys()) if (!colour.get(f)) visit(f);

if (problems.length) {
  console.error(`check-layers: ${problems.length} problem(s)\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`check-layers: ${files.length} files, layers and imports as DESIGN.md draws them, no cycles`);
