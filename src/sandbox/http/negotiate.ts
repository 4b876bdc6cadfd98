import type { IncomingHttpHeaders } from 'node:http';
import { ApiError } from '../api-error.js';
import type { KObject } from '../store.js';
import type { RequestContext } from './context.js';
import { sendJson } from './respond.js';
import { IncludeObject, toTable } from './table.js';

/** What representation the client asked for in Accept: the object itself, a Table, or metadata only. */
export type Representation =
  | { as: 'object' }
  | { as: 'Table'; version: string; includeObject: IncludeObject }
  | { as: 'PartialObjectMetadata'; version: string };

/**
 * Reads Accept the way the API server's negotiation does, taking the first media range it can
 * serve: `application/json;as=Table;v=v1;g=meta.k8s.io` (kubectl get), metadata-only forms, plain
 * JSON, and protobuf (answered with JSON, which client-go also accepts when it lists JSON).
 */
export function representation(headers: IncomingHttpHeaders, url: URL): Representation {
  const accept = headers.accept ?? '';
  for (const range of accept.split(',')) {
    const [type, ...paramParts] = range.split(';').map((s) => s.trim());
    const params = new Map(paramParts.map((p) => {
      const i = p.indexOf('=');
      return [p.slice(0, i).trim(), p.slice(i + 1).trim()] as [string, string];
    }));
    const as = params.get('as');
    if (as === undefined) return { as: 'object' };
    if (type !== 'application/json' || params.get('g') !== 'meta.k8s.io') continue;
    const version = params.get('v') ?? 'v1';
    if (version !== 'v1' && version !== 'v1beta1') continue;
    if (as === 'Table') {
      const inc = url.searchParams.get('includeObject') ?? IncludeObject.Metadata;
      if (inc !== 'None' && inc !== 'Metadata' && inc !== 'Object') {
        throw ApiError.badRequest(`includeObject: Unsupported value: "${inc}": supported values: "None", "Metadata", "Object"`);
      }
      return { as: 'Table', version, includeObject: inc };
    }
    if (as === 'PartialObjectMetadata' || as === 'PartialObjectMetadataList') return { as: 'PartialObjectMetadata', version };
  }
  if (accept.trim() === '') return { as: 'object' };
  throw new ApiError(406, 'NotAcceptable', `only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf`);
}

function partial(o: KObject, version: string): Record<string, unknown> {
  return { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${version}`, metadata: o.metadata };
}

/** A single object in the representation the client asked for. */
export function sendObject(ctx: RequestContext, obj: KObject, code = 200): void {
  const rep = representation(ctx.req.headers, ctx.url);
  if (rep.as === 'Table') {
    sendJson(ctx.res, code, toTable(ctx.key, [obj], { includeObject: rep.includeObject, now: ctx.now(), version: rep.version, listMeta: { resourceVersion: obj.metadata.resourceVersion } }));
  } else if (rep.as === 'PartialObjectMetadata') {
    sendJson(ctx.res, code, partial(obj, rep.version));
  } else {
    sendJson(ctx.res, code, obj);
  }
}

export interface ListMeta {
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

/** A list in the representation the client asked for. */
export function sendList(ctx: RequestContext, items: KObject[], meta: ListMeta): void {
  const rep = representation(ctx.req.headers, ctx.url);
  if (rep.as === 'Table') {
    sendJson(ctx.res, 200, toTable(ctx.key, items, { includeObject: rep.includeObject, now: ctx.now(), version: rep.version, listMeta: meta }));
  } else if (rep.as === 'PartialObjectMetadata') {
    sendJson(ctx.res, 200, { kind: 'PartialObjectMetadataList', apiVersion: `meta.k8s.io/${rep.version}`, metadata: meta, items: items.map((o) => partial(o, rep.version)) });
  } else {
    const t = ctx.route.type;
    sendJson(ctx.res, 200, { kind: t.listKind, apiVersion: t.group ? `${t.group}/${t.version}` : t.version, metadata: meta, items });
  }
}
