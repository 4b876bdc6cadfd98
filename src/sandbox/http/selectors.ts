import { ApiError } from '../api-error.js';
import type { KObject } from '../store.js';

/** One requirement of a label selector, as labels.Requirement holds it. */
export interface LabelRequirement {
  key: string;
  op: 'exists' | '!' | '=' | '!=' | 'in' | 'notin' | 'gt' | 'lt';
  values: string[];
}

export type LabelMatcher = (labels: Record<string, string> | undefined) => boolean;

const KEY = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?\/)?[a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?$/;
const VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Splits on commas that are not inside parentheses (`a in (x,y),b`). */
function splitTop(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

function parseError(selector: string, why: string): ApiError {
  return ApiError.badRequest(`unable to parse requirement: ${why} in selector ${JSON.stringify(selector)}`);
}

function checkKey(selector: string, key: string): void {
  if (!KEY.test(key) || key.length > 316) throw parseError(selector, `invalid label key "${key}": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`);
}

function checkValue(selector: string, v: string): void {
  if (v.length > 63 || !VALUE.test(v)) throw parseError(selector, `invalid label value: "${v}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`);
}

/** Parses `app=web,tier!=db,env in (a,b),!legacy,track` into requirements; 400 when malformed. */
export function parseLabelSelector(selector: string): LabelRequirement[] {
  const reqs: LabelRequirement[] = [];
  if (selector.trim() === '') return reqs;
  for (const raw of splitTop(selector)) {
    const part = raw.trim();
    if (part === '') throw parseError(selector, 'found \'\', expected: !, identifier, or \'end of string\'');
    let m: RegExpExecArray | null;
    if ((m = /^!\s*([^\s=!<>(),]+)$/.exec(part))) {
      checkKey(selector, m[1]);
      reqs.push({ key: m[1], op: '!', values: [] });
    } else if ((m = /^([^\s=!<>(),]+)\s+(in|notin)\s*\(([^()]*)\)$/.exec(part))) {
      checkKey(selector, m[1]);
      const values = m[3].split(',').map((v) => v.trim());
      for (const v of values) checkValue(selector, v);
      reqs.push({ key: m[1], op: m[2] as 'in' | 'notin', values });
    } else if ((m = /^([^\s=!<>(),]+)\s*(==|=|!=|>|<)\s*([^\s=!<>(),]*)$/.exec(part))) {
      checkKey(selector, m[1]);
      const op = m[2] === '==' ? '=' : m[2] === '>' ? 'gt' : m[2] === '<' ? 'lt' : (m[2] as '=' | '!=');
      if ((op === 'gt' || op === 'lt') && !/^-?\d+$/.test(m[3])) throw parseError(selector, `for 'Gt', 'Lt' operators, the value must be an integer`);
      checkValue(selector, m[3]);
      reqs.push({ key: m[1], op, values: [m[3]] });
    } else if ((m = /^([^\s=!<>(),]+)$/.exec(part))) {
      checkKey(selector, m[1]);
      reqs.push({ key: m[1], op: 'exists', values: [] });
    } else {
      throw parseError(selector, `found '${part}', expected: !, identifier, or 'end of string'`);
    }
  }
  return reqs;
}

export function matchRequirements(reqs: readonly LabelRequirement[], labels: Record<string, string> | undefined): boolean {
  for (const r of reqs) {
    const has = labels !== undefined && Object.prototype.hasOwnProperty.call(labels, r.key);
    const v = has ? labels![r.key] : undefined;
    switch (r.op) {
      case 'exists': if (!has) return false; break;
      case '!': if (has) return false; break;
      case '=': if (v !== r.values[0]) return false; break;
      case '!=': if (v === r.values[0]) return false; break;
      case 'in': if (!has || !r.values.includes(v!)) return false; break;
      case 'notin': if (has && r.values.includes(v!)) return false; break;
      case 'gt': if (!has || !(Number(v) > Number(r.values[0]))) return false; break;
      case 'lt': if (!has || !(Number(v) < Number(r.values[0]))) return false; break;
    }
  }
  return true;
}

export function labelMatcher(selector: string | undefined): LabelMatcher | undefined {
  if (!selector) return undefined;
  const reqs = parseLabelSelector(selector);
  if (reqs.length === 0) return undefined;
  return (labels) => matchRequirements(reqs, labels);
}

/** metav1.LabelSelector as JSON (matchLabels + matchExpressions). */
export interface LabelSelectorObject {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/** The requirements of a metav1.LabelSelector; undefined selector means "nothing". */
export function selectorRequirements(sel: LabelSelectorObject): LabelRequirement[] {
  const reqs: LabelRequirement[] = [];
  for (const [key, value] of Object.entries(sel.matchLabels ?? {})) reqs.push({ key, op: '=', values: [value] });
  for (const e of sel.matchExpressions ?? []) {
    const op = e.operator === 'In' ? 'in' : e.operator === 'NotIn' ? 'notin' : e.operator === 'Exists' ? 'exists' : e.operator === 'DoesNotExist' ? '!' : undefined;
    if (op) reqs.push({ key: e.key, op, values: [...(e.values ?? [])] });
  }
  return reqs;
}

/** The string form of a metav1.LabelSelector, as Scale.status.selector and kubectl show it. */
export function selectorString(sel: LabelSelectorObject | undefined): string {
  if (!sel) return '';
  const parts: string[] = [];
  const reqs = selectorRequirements(sel).sort((a, b) => a.key.localeCompare(b.key));
  for (const r of reqs) {
    if (r.op === '=') parts.push(`${r.key}=${r.values[0]}`);
    else if (r.op === 'exists') parts.push(r.key);
    else if (r.op === '!') parts.push(`!${r.key}`);
    else parts.push(`${r.key} ${r.op} (${[...r.values].sort().join(',')})`);
  }
  return parts.join(',');
}

// ---------------------------------------------------------------------------------------------
// Field selectors

export interface FieldRequirement {
  field: string;
  op: '=' | '!=';
  value: string;
}

/** Fields each resource can be selected by, beyond metadata.name and metadata.namespace. */
const FIELD_LABELS: Record<string, readonly string[]> = {
  pods: ['spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName', 'spec.hostNetwork', 'status.phase', 'status.podIP', 'status.nominatedNodeName'],
  nodes: ['spec.unschedulable'],
  namespaces: ['status.phase'],
  events: ['involvedObject.kind', 'involvedObject.namespace', 'involvedObject.name', 'involvedObject.uid', 'involvedObject.apiVersion', 'involvedObject.resourceVersion', 'involvedObject.fieldPath', 'reason', 'reportingComponent', 'source', 'type'],
  persistentvolumeclaims: ['status.phase'],
  'apps/replicasets': ['status.replicas'],
};

export function parseFieldSelector(selector: string, key: string): FieldRequirement[] {
  const reqs: FieldRequirement[] = [];
  if (selector.trim() === '') return reqs;
  const allowed = FIELD_LABELS[key] ?? [];
  for (const raw of selector.split(',')) {
    const part = raw.trim();
    const m = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/.exec(part);
    if (!m) throw ApiError.badRequest(`invalid field selector: invalid selector: '${selector}'; can't understand '${part}'`);
    const field = m[1].trim();
    if (field !== 'metadata.name' && field !== 'metadata.namespace' && !allowed.includes(field)) {
      throw ApiError.badRequest(`field label not supported: ${field}`);
    }
    reqs.push({ field, op: m[2] === '!=' ? '!=' : '=', value: m[3] });
  }
  return reqs;
}

/** The string value of a dotted field, as the field-label converters render it ('' when absent). */
export function fieldValue(obj: KObject, field: string): string {
  if (field === 'source') return String((obj as { source?: { component?: string } }).source?.component ?? '');
  let cur: unknown = obj;
  for (const p of field.split('.')) {
    if (typeof cur !== 'object' || cur === null) return '';
    cur = (cur as Record<string, unknown>)[p];
  }
  if (cur === undefined || cur === null) return field === 'spec.hostNetwork' || field === 'spec.unschedulable' ? 'false' : '';
  return String(cur);
}

export type ObjectMatcher = (obj: KObject) => boolean;

export function fieldMatcher(selector: string | undefined, key: string): ObjectMatcher | undefined {
  if (!selector) return undefined;
  const reqs = parseFieldSelector(selector, key);
  if (reqs.length === 0) return undefined;
  return (obj) => reqs.every((r) => (fieldValue(obj, r.field) === r.value) === (r.op === '='));
}

/** Combined label and field selector; undefined when everything matches. */
export function objectMatcher(labelSelector: string | undefined, fieldSelector: string | undefined, key: string): ObjectMatcher | undefined {
  const l = labelMatcher(labelSelector);
  const f = fieldMatcher(fieldSelector, key);
  if (!l && !f) return undefined;
  return (obj) => (!l || l(obj.metadata.labels)) && (!f || f(obj));
}
