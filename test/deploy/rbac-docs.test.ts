import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';

/**
 * docs/operations.md's table of what the worker's ClusterRole grants is what operators review
 * before installing sitrep: it must say exactly what deploy/kubernetes/rbac.yaml grants, row by
 * row, each (API group, resource, verb) once.
 */

const root = join(import.meta.dirname, '..', '..');
const doc = readFileSync(join(root, 'docs', 'operations.md'), 'utf8');

/** `group|resource|verb`, the unit a rule grants; the core group is written `core`. */
function grants(rows: { group: string; resources: string[]; verbs: string[] }[]): string[] {
  return rows.flatMap((r) => r.resources.flatMap((res) => r.verbs.map((v) => `${r.group || 'core'}|${res}|${v}`))).sort();
}

function fromYaml(): string[] {
  const role = parseAllDocuments(readFileSync(join(root, 'deploy', 'kubernetes', 'rbac.yaml'), 'utf8'))
    .map((d) => d.toJS() as { kind?: string; rules?: { apiGroups: string[]; resources: string[]; verbs: string[] }[] })
    .find((d) => d?.kind === 'ClusterRole')!;
  return grants(role.rules!.flatMap((r) => r.apiGroups.map((group) => ({ group, resources: r.resources, verbs: r.verbs }))));
}

function fromDoc(): string[] {
  const lines = doc.split('\n');
  const start = lines.findIndex((l) => /^\| API group \| resources \| verbs \|$/.test(l));
  expect(start, 'docs/operations.md has the ClusterRole table').toBeGreaterThanOrEqual(0);
  const rows = [];
  for (let i = start + 2; i < lines.length && lines[i]!.startsWith('|'); i++) {
    const [group, resources, verbs] = lines[i]!.slice(1, -1).split('|').map((c) => c.trim());
    const list = (cell: string) => cell.split(',').map((x) => x.trim()).filter(Boolean);
    rows.push({ group: group!, resources: list(resources!), verbs: list(verbs!) });
  }
  return grants(rows);
}

describe("docs/operations.md's ClusterRole table", () => {
  it('lists exactly what deploy/kubernetes/rbac.yaml grants the worker, each grant once', () => {
    const documented = fromDoc();
    expect(new Set(documented).size, 'a grant listed twice').toBe(documented.length);
    expect(documented).toEqual(fromYaml());
  });
});
