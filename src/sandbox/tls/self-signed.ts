import { createHash, generateKeyPairSync, randomBytes, sign, X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { bitString, boolean, explicit, implicitPrimitive, octetString, oid, sequence, set, smallInteger, unsignedInteger, utcTime, utf8String } from './der.js';

export interface ServingCertificate {
  /** PEM certificate; it is its own CA, so clients trust it as certificate-authority-data. */
  cert: string;
  /** PEM PKCS#8 private key. */
  key: string;
}

const ECDSA_WITH_SHA256 = sequence(oid('1.2.840.10045.4.3.2'));

function name(commonName: string): Buffer {
  return sequence(set(sequence(oid('2.5.4.3'), utf8String(commonName))));
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return sequence(oid(id), ...(critical ? [boolean(true)] : []), octetString(value));
}

function ipBytes(ip: string): Buffer {
  if (isIP(ip) === 4) return Buffer.from(ip.split('.').map(Number));
  const full = new URL(`http://[${ip}]`).hostname.slice(1, -1);
  const [head, tail = ''] = full.includes('::') ? full.split('::') : [full, undefined as unknown as string];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return Buffer.concat(groups.map((g) => Buffer.from(g.padStart(4, '0'), 'hex')));
}

/**
 * A self-signed ECDSA P-256 certificate for a serving address, built with node:crypto and a
 * small DER writer (Node can make keys and signatures but not certificates; this avoids a
 * dependency): CA:TRUE so it is its own trust anchor, serverAuth, and subjectAltNames for the
 * hosts (IP addresses and DNS names) clients connect to. Valid from an hour ago for a year.
 */
export function selfSignedCertificate(hosts: readonly string[], commonName = 'sitrep-sandbox'): ServingCertificate {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const serial = randomBytes(16);
  serial[0] &= 0x7f;
  serial[0] |= 0x01;
  const now = Date.now();
  const altNames = sequence(...hosts.map((h) => (isIP(h) ? implicitPrimitive(7, ipBytes(h)) : implicitPrimitive(2, Buffer.from(h, 'ascii')))));
  // subjectKeyIdentifier: SHA-1 of the public key bits (RFC 5280 4.2.1.2, method 1); the key is
  // the BIT STRING at the end of the SPKI, for P-256 an uncompressed 65-byte point.
  const keyBits = spki.subarray(spki.length - 65);
  const extensions = sequence(
    extension('2.5.29.19', true, sequence(boolean(true))),
    extension('2.5.29.15', true, bitString(Buffer.from([0x84]), 2)),
    extension('2.5.29.37', false, sequence(oid('1.3.6.1.5.5.7.3.1'))),
    extension('2.5.29.14', false, octetString(createHash('sha1').update(keyBits).digest())),
    extension('2.5.29.17', false, altNames),
  );
  const tbs = sequence(
    explicit(0, smallInteger(2)),
    unsignedInteger(serial),
    ECDSA_WITH_SHA256,
    name(commonName),
    sequence(utcTime(new Date(now - 3600_000)), utcTime(new Date(now + 365 * 24 * 3600_000))),
    name(commonName),
    spki,
    explicit(3, extensions),
  );
  const signature = sign('sha256', tbs, privateKey);
  const der = sequence(tbs, ECDSA_WITH_SHA256, bitString(signature));
  const cert = `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`;
  // Parse it back: a certificate Node cannot read would fail every client much less clearly.
  new X509Certificate(cert);
  return { cert, key: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string };
}
