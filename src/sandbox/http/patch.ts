import { ApiError } from '../api-error.js';
import { mediaType, parseJson } from './body.js';
import { jsonPatch, mergePatch } from './json-patch.js';
import { strategicMergePatch } from './strategic-merge.js';

export const PatchType = {
  Strategic: 'application/strategic-merge-patch+json',
  Merge: 'application/merge-patch+json',
  Json: 'application/json-patch+json',
} as const;
export type PatchType = (typeof PatchType)[keyof typeof PatchType];

/**
 * The patch types this server takes, in handlers/patch.go's order. Server-side apply
 * (application/apply-patch+yaml) is not among them: the sandbox keeps no managedFields, so rather
 * than apply without conflicts it answers `kubectl apply --server-side` exactly as a server
 * without the ServerSideApply feature did: 415 listing only these.
 */
const PATCH_TYPES = [PatchType.Json, PatchType.Merge, PatchType.Strategic] as const;

/** The patch type of a request, or the 415 a server answers for any other. */
export function patchTypeOf(contentType: string | undefined): PatchType {
  const t = mediaType(contentType);
  const known = PATCH_TYPES.find((p) => p === t);
  if (known) return known;
  throw ApiError.unsupportedMediaType(PATCH_TYPES);
}

/** Applies a patch body to a copy of `original` (which the caller owns and may hand over). */
export function applyPatch<T>(type: PatchType, original: T, body: Buffer): T {
  const patch = parseJson(body, 'patch');
  switch (type) {
    case PatchType.Strategic:
      return strategicMergePatch(original, patch);
    case PatchType.Merge: {
      if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
        throw ApiError.badRequest(`json: cannot unmarshal ${Array.isArray(patch) ? 'array' : typeof patch} into Go value of type map[string]interface {}`);
      }
      return mergePatch(original, patch) as T;
    }
    case PatchType.Json:
      return jsonPatch(original, patch) as T;
  }
}
