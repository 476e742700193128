import { X509Certificate, createPrivateKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { integer, oid, time } from './der.js';
import { generateTestPki } from './certs.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('DER writer (X.690)', () => {
  it('encodes known answers', () => {
    expect(hex(oid('1.2.840.10045.4.3.2'))).toBe('06082a8648ce3d040302');
    expect(hex(oid('2.5.29.17'))).toBe('0603551d11');
    expect(hex(integer(0))).toBe('020100');
    expect(hex(integer(128))).toBe('02020080');
    expect(hex(integer(Buffer.from([0, 0, 5])))).toBe('020105');
    expect(Buffer.from(time(new Date('2026-01-02T03:04:05Z'))).toString('latin1')).toBe('\x17\x0d260102030405Z');
    expect(Buffer.from(time(new Date('2050-01-02T03:04:05Z'))).toString('latin1')).toBe('\x18\x0f20500102030405Z');
  });
});

describe('generateTestPki', () => {
  const now = new Date();
  const pki = generateTestPki({ now });
  const ca = new X509Certificate(pki.ca);

  it('makes a CA and a valid certificate for 127.0.0.1 and localhost that node:crypto verifies', () => {
    const valid = new X509Certificate(pki.valid.cert);
    expect(ca.ca).toBe(true);
    expect(valid.ca).toBe(false);
    expect(valid.checkIssued(ca)).toBe(true);
    expect(valid.verify(ca.publicKey)).toBe(true);
    expect(valid.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(valid.checkHost('localhost')).toBe('localhost');
    expect(valid.subjectAltName).toBe('IP Address:127.0.0.1, DNS:localhost, IP Address:0:0:0:0:0:0:0:1');
    expect(valid.checkPrivateKey(createPrivateKey(pki.valid.key))).toBe(true);
    expect(new Date(valid.validFrom).getTime()).toBeLessThan(now.getTime());
    expect(new Date(valid.validTo).getTime()).toBeGreaterThan(now.getTime());
  });

  it('makes the three certificates that must fail: expired, wrong host, self-signed', () => {
    const expired = new X509Certificate(pki.expired.cert);
    expect(expired.verify(ca.publicKey)).toBe(true);
    expect(new Date(expired.validTo).getTime()).toBeLessThan(now.getTime());
    const wrong = new X509Certificate(pki.wrongHost.cert);
    expect(wrong.verify(ca.publicKey)).toBe(true);
    expect(wrong.checkHost('localhost')).toBeUndefined();
    expect(wrong.checkIP('127.0.0.1')).toBeUndefined();
    const self = new X509Certificate(pki.selfSigned.cert);
    expect(self.verify(ca.publicKey)).toBe(false);
    expect(self.verify(self.publicKey)).toBe(true);
  });

  it('gives a fresh key pair and serial every time', () => {
    const again = generateTestPki();
    expect(new X509Certificate(again.ca).serialNumber).not.toBe(ca.serialNumber);
    expect(again.valid.key).not.toBe(pki.valid.key);
  });
});
