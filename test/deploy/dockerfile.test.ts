import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const DOCKERFILE = join(root, 'deploy', 'Dockerfile');

interface Instruction {
  line: number;
  op: string;
  args: string;
}
interface Stage {
  image: string;
  name?: string;
  instructions: Instruction[];
}

/** Instructions with line continuations joined and comments dropped, grouped by stage. */
function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = i + 1;
    let line = lines[i].trim();
    if (!line || line.startsWith('#')) continue;
    while (line.endsWith('\\') && i + 1 < lines.length) line = `${line.slice(0, -1).trim()} ${lines[++i].trim()}`;
    const [, op = '', args = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const ins = { line: start, op: op.toUpperCase(), args };
    if (ins.op === 'FROM') {
      const [image, as, name] = args.split(/\s+/);
      stages.push({ image, ...(as?.toUpperCase() === 'AS' ? { name } : {}), instructions: [] });
    } else {
      stages.at(-1)?.instructions.push(ins);
    }
  }
  return stages;
}

/** sitrep's own rules for its image, beyond dockerfilelint's. Empty: all kept. */
function ourProblems(text: string): string[] {
  const problems: string[] = [];
  const stages = parseDockerfile(text);
  const names = new Set(stages.map((s) => s.name).filter(Boolean));
  if (stages.length < 2) problems.push('not multi-stage: build tools must stay out of the runtime image');
  for (const s of stages) {
    if (names.has(s.image)) continue; // FROM an earlier stage
    const [ref, digest] = s.image.split('@');
    const tag = ref.includes(':') ? ref.slice(ref.lastIndexOf(':') + 1) : undefined;
    if (!digest && (!tag || tag === 'latest')) problems.push(`FROM ${s.image}: pin a tag (not latest) or a digest`);
  }
  const final = stages.at(-1);
  if (!final) return ['no FROM'];
  const users = final.instructions.filter((i) => i.op === 'USER');
  const user = users.at(-1)?.args.split(':')[0];
  if (!user) problems.push('runtime stage has no USER: it would run as root');
  else if (user === 'root' || user === '0') problems.push(`runtime stage runs as ${user}`);
  else if (!/^\d+$/.test(user)) problems.push(`USER ${user}: use a numeric uid so Kubernetes can check runAsNonRoot`);
  const entry = final.instructions.filter((i) => i.op === 'ENTRYPOINT').at(-1);
  const argv = entry ? (JSON.parse(entry.args) as string[]) : [];
  if (argv[0] !== 'node' || argv.at(-1) !== '/app/bin/sitrep.js' || !argv.slice(1, -1).every((a) => a.startsWith('--'))) problems.push('ENTRYPOINT must be ["node", <node flags>, "/app/bin/sitrep.js"]');
  // dist/ is one self-contained bundle: the runtime stage installs nothing and copies no node_modules.
  if (final.instructions.some((i) => (i.op === 'COPY' && /node_modules/.test(i.args)) || (i.op === 'RUN' && /npm (ci|install)\b/.test(i.args)))) problems.push('runtime stage must not install or copy node_modules: dist/ is self-contained');
  const built = stages.find((s) => s.instructions.some((i) => i.op === 'RUN' && /npm run build/.test(i.args)));
  // The build runs the base image's Node, not the one optionalDependencies bring for `npm start`.
  if (built && !built.instructions.some((i) => i.op === 'RUN' && /npm ci\b.*--omit=optional/.test(i.args))) problems.push('the build stage must install with `npm ci --omit=optional` (no npm-registry Node in the image)');
  if (!built || built === final) problems.push('no separate build stage running `npm run build`');
  else if (!final.instructions.some((i) => i.op === 'COPY' && i.args.includes(`--from=${built.name}`) && /dist/.test(i.args))) problems.push('runtime stage does not copy dist/ from the build stage');
  return problems;
}

/**
 * The base image, in every stage that does not start from an earlier one: Node 24 on Debian 12
 * slim, by tag alone or pinned by the digest of its multi-platform index (docs/operations.md).
 */
const BASE_IMAGE = /^node:24-bookworm-slim(@sha256:[0-9a-f]{64})?$/;

function baseImageProblems(text: string): string[] {
  const stages = parseDockerfile(text);
  const names = new Set(stages.map((s) => s.name).filter(Boolean));
  return stages.filter((s) => !names.has(s.image) && !BASE_IMAGE.test(s.image)).map((s) => `FROM ${s.image}: use node:24-bookworm-slim, optionally @sha256:<64 hex digits>`);
}

/**
 * Whether .dockerignore keeps `path` out of the build context, as Docker reads it: `*` within a
 * path segment, `**` across segments, a pattern also covers everything under a matched folder,
 * the last matching line wins and `!` lets a path back in.
 */
function ignored(patterns: string[], path: string): boolean {
  let out = false;
  for (const line of patterns) {
    const negate = line.startsWith('!');
    const pattern = (negate ? line.slice(1) : line).replace(/^\/+|\/+$/g, '');
    const re = new RegExp(`^${pattern.split('/').map((seg) => (seg === '**' ? '.*' : seg.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]'))).join('/').replace(/\.\*\//g, '(.*/)?')}(/.*)?$`);
    if (re.test(path)) out = !negate;
  }
  return out;
}

describe('deploy/Dockerfile', () => {
  const text = readFileSync(DOCKERFILE, 'utf8');

  it('passes dockerfilelint', async () => {
    const bin = join(root, 'node_modules', '.bin', 'dockerfilelint');
    const { stdout } = await promisify(execFile)(bin, ['-j', DOCKERFILE], { cwd: root }).catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? '' }));
    const report = JSON.parse(stdout) as { totalIssues: number; files: { issues: { line: string; title: string }[] }[] };
    expect(report.files[0].issues.map((i) => `line ${i.line}: ${i.title}`)).toEqual([]);
    expect(report.totalIssues).toBe(0);
  });

  it('keeps our rules: multi-stage, non-root numeric USER, no latest, production deps only, the entrypoint', () => {
    expect(ourProblems(text)).toEqual([]);
  });

  it('the rules catch a Dockerfile that breaks them', () => {
    const bad = 'FROM node:latest\nWORKDIR /app\nCOPY . .\nRUN npm install && npm run build\nENTRYPOINT ["npm", "start"]\n';
    const problems = ourProblems(bad);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining('not multi-stage'),
        expect.stringContaining('FROM node:latest'),
        expect.stringContaining('no USER'),
        expect.stringContaining('ENTRYPOINT'),
        expect.stringContaining('--omit=optional'),
      ]),
    );
    expect(ourProblems(text.replace('USER 1000:1000', 'USER node'))).toEqual([expect.stringContaining('numeric uid')]);
    expect(ourProblems(text.replace(/FROM \S+ AS build/, 'FROM node AS build'))).toEqual([expect.stringContaining('FROM node:')]);
    expect(ourProblems(text.replace(/ --omit=optional/g, ''))).toEqual([expect.stringContaining('--omit=optional')]);
    expect(ourProblems(text.replace('COPY package.json ./\nCOPY bin', 'COPY --from=build /src/node_modules ./node_modules\nCOPY package.json ./\nCOPY bin'))).toEqual([expect.stringContaining('node_modules')]);
  });

  it('builds every stage from node:24-bookworm-slim, by tag or pinned by digest', () => {
    expect(baseImageProblems(text)).toEqual([]);
    expect(parseDockerfile(text).filter((s) => BASE_IMAGE.test(s.image)).length).toBeGreaterThanOrEqual(2);
    const digest = `sha256:${'0123456789abcdef'.repeat(4)}`;
    const pinned = text.replace(/^FROM node:24-bookworm-slim /gm, `FROM node:24-bookworm-slim@${digest} `);
    expect(pinned).not.toBe(text);
    expect(baseImageProblems(pinned)).toEqual([]);
    expect(ourProblems(pinned)).toEqual([]);
    for (const wrong of ['node:20-bookworm-slim', 'node:24', 'node:24-alpine', 'node:latest', `node:24-bookworm-slim@${digest.slice(0, -1)}`, `node:24-bookworm-slim@sha256:${'A'.repeat(64)}`, `node@${digest}`]) {
      expect(baseImageProblems(text.replace(/^FROM node:24-bookworm-slim AS runtime$/m, `FROM ${wrong} AS runtime`)), wrong).toEqual([expect.stringContaining(`FROM ${wrong}:`)]);
    }
  });

  it('copies only files that exist and that .dockerignore lets through, and runs what the build writes', () => {
    const ignore = readFileSync(join(root, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    for (const needed of ['node_modules', 'dist', '.git', 'test']) expect(ignore).toContain(needed);
    for (const kept of ['src/main.ts', 'bin/sitrep.js', 'scripts/stubs/msgpackr-extract/index.js']) expect(ignored(ignore, kept), kept).toBe(false);
    expect(ignored(ignore, 'scripts/check-layers.mjs')).toBe(true);
    expect(ignored(ignore, 'scripts/bundle.mjs')).toBe(false);
    for (const stage of parseDockerfile(text)) {
      for (const ins of stage.instructions.filter((i) => i.op === 'COPY' && !i.args.includes('--from='))) {
        const sources = ins.args.split(/\s+/).filter((a) => !a.startsWith('--')).slice(0, -1);
        for (const src of sources) {
          expect(existsSync(join(root, src)), `COPY ${src} (line ${ins.line})`).toBe(true);
          expect(ignored(ignore, src), `${src} is in .dockerignore`).toBe(false);
        }
      }
    }
    // The build stage copies what `npm run build` bundles.
    const copied = parseDockerfile(text).find((s) => s.name === 'build')!.instructions.filter((i) => i.op === 'COPY').map((i) => i.args.split(/\s+/)[0]);
    expect(copied).toEqual(expect.arrayContaining(['src', 'commands', 'jobs', 'scripts/bundle.mjs']));
  });
});

describe('the built image files', () => {
  it('`npm run build` writes a bundle that runs from package.json, bin/ and dist/ alone, with no node_modules', async () => {
    const run = promisify(execFile);
    await run(process.execPath, [join(root, 'scripts', 'bundle.mjs')], { cwd: root });
    const app = await mkdtemp(join(tmpdir(), 'sitrep-image-'));
    try {
      for (const part of ['package.json', 'bin', 'dist']) await cp(join(root, part), join(app, part), { recursive: true });
      const env = { PATH: process.env.PATH ?? '', SITREP_COMMIT: 'abc123def456' };
      const version = await run(process.execPath, [join(app, 'bin', 'sitrep.js'), '--version'], { cwd: app, env });
      expect(version.stdout).toMatch(/^sitrep \d+\.\d+\.\d+ \(commit abc123def456\) on Node v24\./);
      const help = await run(process.execPath, [join(app, 'bin', 'sitrep.js'), 'worker', '--help'], { cwd: app, env });
      expect(help.stdout).toMatch(/Usage: sitrep worker \[--cluster NAME\]/);
    } finally {
      await rm(app, { recursive: true, force: true });
    }
  });
});
