/**
 * Network addresses in text meant for people: an unexpected error's message (Node's fetch, a
 * proxy) can carry the API server's URL and address, which says nothing useful in a Slack card
 * and tells every reader of the channel where the control plane listens.
 */

const URL_PATTERN = /\b[a-z][a-z0-9+.-]*:\/\/[^\s/'"<>]+(\/[^\s'"<>]*)?/gi;
const IPV4_PORT = /\b\d{1,3}(?:\.\d{1,3}){3}(?::\d{1,5})?\b/g;
const IPV6_PORT = /\[[0-9a-f:.]+\](?::\d{1,5})?/gi;

/**
 * Replaces each URL by its path (`https://10.0.0.1:6443/api/v1/pods?x=1` → `/api/v1/pods?x=1`,
 * a URL with no path → `the server`) and each bare IPv4 or bracketed IPv6 address, with or without
 * a port, by `(address)`. Everything else is kept as written.
 */
export function hideAddresses(text: string): string {
  return text
    .replace(URL_PATTERN, (_m, path: string | undefined) => path ?? 'the server')
    .replace(IPV6_PORT, '(address)')
    .replace(IPV4_PORT, '(address)');
}
