/**
 * How plans name objects: `kind/namespace/name`, or `kind/name` when cluster-scoped, with the
 * kind in lower case as kubectl prints it (`pod/shop/web-1`, `node/node02`).
 */
export function objectRef(kind: string, name: string, namespace?: string): string {
  const k = kind.toLowerCase();
  return namespace ? `${k}/${namespace}/${name}` : `${k}/${name}`;
}

/** `namespace/name`, as kubectl names pods in its messages. */
export function nsName(namespace: string | undefined, name: string | undefined): string {
  return `${namespace ?? ''}/${name ?? ''}`;
}

/** `a, b, c and 4 more`: keeps a warning to one readable line however many objects it names. */
export function listSome(items: readonly string[], max = 5): string {
  if (items.length <= max) return items.join(', ');
  return `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}
