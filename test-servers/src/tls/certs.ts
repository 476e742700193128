/**
 * A test PKI made in pure Node at start-up: a CA, and server certificates that are valid
 * (signed by the CA, for 127.0.0.1 and localhost as IP and DNS subjectAltNames),
 * self-signed, for the wrong host, and expired — so clients can be tested against every
 * way TLS verification must fail. Keys are P-256 (node:crypto), certificates X.509 v3
 * (RFC 5280 §4.1) built with the DER writer in der.ts and signed ecdsa-with-SHA256
 * (RFC 5758 §3.2). No openssl command is needed.
 */
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import { bitString, boolean, contextTag, integer, octetString, oid, sequence, set, time, utf8String } from './der.js';

/** Which server certificate a listener presents. */
export type CertKind = 'valid' | 'self-signed' | 'wrong-host' | 'expired';

export interface KeyAndCert {
  /** PKCS#8 PEM. */
  key: string;
  /** X.509 PEM. */
  cert: string;
}

export interface TestPki {
  /** The CA certificate (PEM): what clients trust. */
  ca: string;
  valid: KeyAndCert;
  selfSigned: KeyAndCert;
  wrongHost: KeyAndCert;
  expired: KeyAndCert;
}

const OID = {
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  subjectKeyId: '2.5.29.14',
  authorityKeyId: '2.5.29.35',
  serverAuth: '1.3.6.1.5.5.7.3.1',
} as const;

const DAY = 86_400_000;

function name(cn: string): Buffer {
  return sequence(
    set(sequence(oid(OID.organization), utf8String('mailwire test-servers'))),
    set(sequence(oid(OID.commonName), utf8String(cn))),
  );
}

function extension(id: string, critical: boolean, value: Uint8Array): Buffer {
  return critical ? sequence(oid(id), boolean(true), octetString(value)) : sequence(oid(id), octetString(value));
}

/** The subjectKeyIdentifier: SHA-1 of the subjectPublicKey bits (RFC 5280 §4.2.1.2 method 1). */
function keyId(spki: Buffer): Buffer {
  // For P-256 the SPKI ends with the 65-byte uncompressed point inside the BIT STRING.
  return createHash('sha1').update(spki.subarray(spki.length - 65)).digest();
}

/** subjectAltName entries: dNSName [2] for names, iPAddress [7] for IPv4/IPv6 literals (RFC 5280 §4.2.1.6). */
function altNames(hosts: string[]): Buffer {
  return sequence(
    ...hosts.map((h) => {
      if (isIP(h) === 4) return contextTag(7, Buffer.from(h.split('.').map(Number)), false);
      if (isIP(h) === 6) return contextTag(7, ipv6Bytes(h), false);
      return contextTag(2, Buffer.from(h, 'latin1'), false);
    }),
  );
}

function ipv6Bytes(text: string): Buffer {
  const [head, tail] = text.split('::') as [string, string | undefined];
  const parse = (s: string | undefined) => (s ? s.split(':').map((x) => parseInt(x, 16)) : []);
  const a = parse(head);
  const b = parse(tail);
  const groups = tail === undefined ? a : [...a, ...new Array(8 - a.length - b.length).fill(0), ...b];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(g, i * 2));
  return out;
}

interface CertSpec {
  subject: string;
  issuer: string;
  publicKey: KeyObject;
  signingKey: KeyObject;
  issuerKeyId: Buffer;
  isCa: boolean;
  hosts: string[];
  notBefore: Date;
  notAfter: Date;
}

/** Builds and signs one certificate (RFC 5280 §4.1), returned as PEM. */
function buildCertificate(spec: CertSpec): string {
  const spki = spec.publicKey.export({ type: 'spki', format: 'der' });
  const algorithm = sequence(oid(OID.ecdsaWithSha256));
  const extensions = [
    extension(OID.basicConstraints, true, spec.isCa ? sequence(boolean(true)) : sequence()),
    // keyUsage: CA keyCertSign|cRLSign (bits 5,6); leaf digitalSignature (bit 0).
    extension(OID.keyUsage, true, spec.isCa ? bitString(Buffer.from([0x06]), 1) : bitString(Buffer.from([0x80]), 7)),
    extension(OID.subjectKeyId, false, octetString(keyId(spki))),
    extension(OID.authorityKeyId, false, sequence(contextTag(0, spec.issuerKeyId, false))),
  ];
  if (!spec.isCa) {
    extensions.push(extension(OID.extKeyUsage, false, sequence(oid(OID.serverAuth))));
    extensions.push(extension(OID.subjectAltName, false, altNames(spec.hosts)));
  }
  const serial = randomBytes(16);
  serial[0] = serial[0]! & 0x7f;
  const tbs = sequence(
    contextTag(0, integer(2), true),
    integer(serial),
    algorithm,
    name(spec.issuer),
    sequence(time(spec.notBefore), time(spec.notAfter)),
    name(spec.subject),
    spki,
    contextTag(3, sequence(...extensions), true),
  );
  const signature = sign('sha256', tbs, spec.signingKey);
  const der = sequence(tbs, algorithm, bitString(signature));
  const b64 = der.toString('base64').replace(/.{1,64}/g, '$&\n');
  return `-----BEGIN CERTIFICATE-----\n${b64}-----END CERTIFICATE-----\n`;
}

function newKey(): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
}

function pemKey(k: KeyObject): string {
  return k.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/**
 * Generates a fresh test PKI. `hosts` are the names the valid certificate is for
 * (default 127.0.0.1, localhost, ::1); the wrong-host certificate is for
 * wrong-host.invalid only.
 */
export function generateTestPki(options: { hosts?: string[]; now?: Date } = {}): TestPki {
  const hosts = options.hosts ?? ['127.0.0.1', 'localhost', '::1'];
  const now = options.now ?? new Date();
  const notBefore = new Date(now.getTime() - DAY);
  const notAfter = new Date(now.getTime() + 365 * DAY);
  const caKey = newKey();
  const caSpki = caKey.publicKey.export({ type: 'spki', format: 'der' });
  const caId = keyId(caSpki);
  const ca = buildCertificate({
    subject: 'mailwire test CA', issuer: 'mailwire test CA', publicKey: caKey.publicKey, signingKey: caKey.privateKey,
    issuerKeyId: caId, isCa: true, hosts: [], notBefore, notAfter,
  });
  const leaf = (cn: string, leafHosts: string[], validity: [Date, Date], selfSigned = false): KeyAndCert => {
    const k = newKey();
    const ownId = keyId(k.publicKey.export({ type: 'spki', format: 'der' }));
    const cert = buildCertificate({
      subject: cn, issuer: selfSigned ? cn : 'mailwire test CA', publicKey: k.publicKey,
      signingKey: selfSigned ? k.privateKey : caKey.privateKey, issuerKeyId: selfSigned ? ownId : caId,
      isCa: false, hosts: leafHosts, notBefore: validity[0], notAfter: validity[1],
    });
    return { key: pemKey(k.privateKey), cert };
  };
  return {
    ca,
    valid: leaf(hosts.find((h) => isIP(h) === 0) ?? hosts[0]!, hosts, [notBefore, notAfter]),
    selfSigned: leaf('localhost', hosts, [notBefore, notAfter], true),
    wrongHost: leaf('wrong-host.invalid', ['wrong-host.invalid'], [notBefore, notAfter]),
    expired: leaf('localhost', hosts, [new Date(now.getTime() - 30 * DAY), new Date(now.getTime() - DAY)]),
  };
}

let shared: TestPki | undefined;

/** One PKI per process, made on first use (key generation takes a few milliseconds). */
export function testPki(): TestPki {
  shared ??= generateTestPki();
  return shared;
}

/** The key and certificate of a kind. */
export function certFor(pki: TestPki, kind: CertKind): KeyAndCert {
  switch (kind) {
    case 'valid': return pki.valid;
    case 'self-signed': return pki.selfSigned;
    case 'wrong-host': return pki.wrongHost;
    case 'expired': return pki.expired;
  }
}
