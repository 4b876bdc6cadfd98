/**
 * Reads every page of a list call (limit/continue), so a 2,000-pod namespace costs a few
 * requests and no single response is unbounded.
 */
export async function listAll<T>(
  page: (cont: string | undefined, limit: number) => Promise<{ items: T[]; metadata?: { _continue?: string; resourceVersion?: string } }>,
  options: { limit?: number; signal?: AbortSignal } = {},
): Promise<{ items: T[]; resourceVersion?: string }> {
  const limit = options.limit ?? 500;
  const items: T[] = [];
  let cont: string | undefined;
  let resourceVersion: string | undefined;
  do {
    options.signal?.throwIfAborted();
    const res = await page(cont, limit);
    items.push(...res.items);
    cont = res.metadata?._continue || undefined;
    resourceVersion = res.metadata?.resourceVersion ?? resourceVersion;
  } while (cont);
  return { items, resourceVersion };
}
