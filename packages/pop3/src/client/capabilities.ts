/**
 * The CAPA response (RFC 2449 §5): one capability per line, `tag *(SP param)`. Tags go
 * into `capabilities` upper-cased; the SASL tag's parameters are the mechanisms.
 */
export interface Pop3Capabilities {
  capabilities: Set<string>;
  authMechanisms: Set<string>;
}

export function parseCapa(body: string): Pop3Capabilities {
  const capabilities = new Set<string>();
  const authMechanisms = new Set<string>();
  for (const raw of body.split('\r\n')) {
    const words = raw.trim().split(/\s+/).filter((w) => w !== '');
    if (words.length === 0) continue;
    const tag = words[0]!.toUpperCase();
    capabilities.add(tag);
    if (tag === 'SASL') for (const m of words.slice(1)) authMechanisms.add(m.toUpperCase());
  }
  return { capabilities, authMechanisms };
}
