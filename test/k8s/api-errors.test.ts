import { describe, expect, it } from 'vitest';
import { describeError } from '../../src/core/errors.js';
import { hideAddresses } from '../../src/core/text/addresses.js';
import { toSitrepError } from '../../src/k8s/api-errors.js';

describe('what an unexpected Kubernetes client error tells people', () => {
  it('names the step and the failure, never the API server URL or address', () => {
    // What Node's fetch says when the server answers something that is not JSON.
    const raw = new Error('invalid json response body at https://10.96.0.1:6443/api/v1/namespaces/shop/pods?limit=500 reason: Unexpected token < in JSON at position 0 (from 10.96.0.1:6443, [fd00::1]:6443)');
    const d = describeError(toSitrepError(raw, 'prod', 'listing pods'));
    expect(d.message).toBe('Failed while listing pods: invalid json response body at /api/v1/namespaces/shop/pods?limit=500 reason: Unexpected token < in JSON at position 0 (from (address), (address))');
  });

  it('keeps what is not an address', () => {
    expect(hideAddresses('pod web-1 (1.2 GiB) v1.32.0 exited 137')).toBe('pod web-1 (1.2 GiB) v1.32.0 exited 137');
    expect(hideAddresses('see https://sandbox.example and more')).toBe('see the server and more');
  });
});
