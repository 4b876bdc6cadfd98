/**
 * Kubernetes object-name rules, checked before anything reaches a queue or the API
 * (DESIGN.md invariant 6). Same limits as apimachinery's validation package.
 */
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** DNS-1123 label: namespaces, and most names that become hostnames. Max 63 characters. */
export function isDns1123Label(value: string): boolean {
  return value.length > 0 && value.length <= 63 && LABEL.test(value);
}

/** DNS-1123 subdomain: node, pod, deployment names. Max 253 characters. */
export function isDns1123Subdomain(value: string): boolean {
  return value.length > 0 && value.length <= 253 && SUBDOMAIN.test(value);
}

/** Why a name is invalid, in the words an engineer needs, or undefined when it is fine. */
export function dns1123Problem(value: string, kind: 'label' | 'subdomain' = 'subdomain'): string | undefined {
  const max = kind === 'label' ? 63 : 253;
  if (value.length === 0) return 'a name must not be empty';
  if (value.length > max) return `a name must be at most ${max} characters`;
  const ok = kind === 'label' ? isDns1123Label(value) : isDns1123Subdomain(value);
  if (ok) return undefined;
  return kind === 'label'
    ? 'a name must be lowercase letters, digits and "-", starting and ending with a letter or digit'
    : 'a name must be lowercase letters, digits, "-" and ".", starting and ending with a letter or digit';
}
