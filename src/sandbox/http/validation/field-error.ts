/**
 * Field errors as k8s.io/apimachinery/pkg/util/validation/field/errors.go words them: the
 * message is `<type>[: <value>][: <detail>]`, the value printed the way Go's fmt prints it
 * (%v for numbers and booleans, %q for strings, %#v for everything else).
 */
export const FieldErrorType = {
  Invalid: 'FieldValueInvalid',
  Required: 'FieldValueRequired',
  Forbidden: 'FieldValueForbidden',
  NotSupported: 'FieldValueNotSupported',
  Duplicate: 'FieldValueDuplicate',
} as const;
export type FieldErrorType = (typeof FieldErrorType)[keyof typeof FieldErrorType];

export interface FieldError {
  field: string;
  reason: FieldErrorType;
  message: string;
}

/** A Go value as %#v would print it, for the few shapes our validation reports. */
export type GoValue = { go: string };

/** `map[string]string{"app":"web"}` (Go sorts map keys when printing). */
export function goStringMap(m: Record<string, string> | undefined | null): GoValue {
  if (!m) return { go: 'map[string]string(nil)' };
  const entries = Object.keys(m).sort().map((k) => `${JSON.stringify(k)}:${JSON.stringify(m[k])}`);
  return { go: `map[string]string{${entries.join(', ')}}` };
}

/** `v1.LabelSelector{MatchLabels:map[string]string{...}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}`. */
export function goLabelSelector(sel: { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] } | undefined | null): GoValue {
  if (!sel) return { go: 'null' };
  const exprs = sel.matchExpressions?.length
    ? `[]v1.LabelSelectorRequirement{${sel.matchExpressions.map((e) => `v1.LabelSelectorRequirement{Key:${JSON.stringify(e.key)}, Operator:${JSON.stringify(e.operator)}, Values:${e.values ? `[]string{${e.values.map((v) => JSON.stringify(v)).join(', ')}}` : '[]string(nil)'}}`).join(', ')}}`
    : '[]v1.LabelSelectorRequirement(nil)';
  return { go: `v1.LabelSelector{MatchLabels:${goStringMap(sel.matchLabels).go}, MatchExpressions:${exprs}}` };
}

function printValue(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'object' && 'go' in (v as object)) return (v as GoValue).go;
  if (typeof v === 'string') return JSON.stringify(v);
  return String(v);
}

export function invalid(field: string, value: unknown, detail: string): FieldError {
  return { field, reason: FieldErrorType.Invalid, message: `Invalid value: ${printValue(value)}${detail ? `: ${detail}` : ''}` };
}

export function required(field: string, detail = ''): FieldError {
  return { field, reason: FieldErrorType.Required, message: `Required value${detail ? `: ${detail}` : ''}` };
}

export function forbidden(field: string, detail: string): FieldError {
  return { field, reason: FieldErrorType.Forbidden, message: `Forbidden: ${detail}` };
}

export function notSupported(field: string, value: unknown, supported: readonly string[]): FieldError {
  return { field, reason: FieldErrorType.NotSupported, message: `Unsupported value: ${printValue(value)}: supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}` };
}

export function duplicate(field: string, value: unknown): FieldError {
  return { field, reason: FieldErrorType.Duplicate, message: `Duplicate value: ${printValue(value)}` };
}

/** ValidateNonnegativeField. */
export function nonNegative(field: string, value: unknown): FieldError[] {
  return typeof value === 'number' && value < 0 ? [invalid(field, value, 'must be greater than or equal to 0')] : [];
}
