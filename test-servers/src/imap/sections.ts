/**
 * Body sections of FETCH BODY[section]<partial> (RFC 9051 §6.4.5): the whole message,
 * HEADER, HEADER.FIELDS (...), HEADER.FIELDS.NOT (...), TEXT, MIME, and part numbers
 * (1, 1.2, 2.HEADER ...) into multipart and message/rfc822 parts.
 */
import type { MimePart } from '../store/mime.js';

export interface SectionSpec {
  /** The section text as echoed in the response, e.g. `HEADER.FIELDS (FROM TO)`. */
  name: string;
  peek: boolean;
  partial?: { offset: number; length: number };
}

/** Parses `BODY[...]<o.n>` / `BODY.PEEK[...]` / `BINARY...` atoms; null when not a body section. */
export function parseSectionItem(item: string): SectionSpec | null {
  const m = /^BODY(\.PEEK)?\[([^\]]*)\](?:<(\d+)\.(\d+)>)?$/i.exec(item);
  if (!m) return null;
  const name = m[2]!.toUpperCase().replace(/\s+/g, ' ').replace(/\( /g, '(').replace(/ \)/g, ')');
  const spec: SectionSpec = { name, peek: m[1] !== undefined };
  if (m[3] !== undefined) spec.partial = { offset: Number(m[3]), length: Number(m[4]) };
  return spec;
}

function filterHeader(header: Buffer, names: string[], not: boolean): Buffer {
  const wanted = new Set(names.map((n) => n.toLowerCase()));
  const lines = header.toString('latin1').split(/(?<=\n)/);
  const out: string[] = [];
  let keep = false;
  for (const line of lines) {
    if (line === '\r\n' || line === '\n') continue;
    if (line[0] === ' ' || line[0] === '\t') {
      if (keep) out.push(line);
      continue;
    }
    const name = line.slice(0, Math.max(0, line.indexOf(':'))).trim().toLowerCase();
    keep = name !== '' && wanted.has(name) !== not;
    if (keep) out.push(line);
  }
  out.push('\r\n');
  return Buffer.from(out.join(''), 'latin1');
}

/** The bytes of a section of a message, or null when the section does not exist. */
export function sectionBytes(root: MimePart, raw: Buffer, name: string): Buffer | null {
  if (name === '') return raw;
  const m = /^((?:\d+\.)*\d+)?\.?(HEADER\.FIELDS(?:\.NOT)? \(([^)]*)\)|HEADER|TEXT|MIME)?$/.exec(name);
  if (!m) return null;
  let part: MimePart = root;
  let isMessage = true; // `part` is a message whose HEADER/TEXT apply
  if (m[1]) {
    for (const n of m[1].split('.').map(Number)) {
      if (isMessage && part.type !== 'multipart') {
        // A non-multipart message has one part: its body (part 1).
        if (n !== 1) return null;
        isMessage = false;
        continue;
      }
      const container = !isMessage && part.message ? part.message : part;
      const child = container.type === 'multipart' ? container.parts[n - 1] : n === 1 ? container : undefined;
      if (!child) return null;
      part = child;
      isMessage = false;
    }
  }
  const kind = m[2];
  if (!kind) return m[1] ? part.body : raw;
  if (kind === 'MIME') return m[1] ? part.header : null;
  const target = m[1] ? part.message : part;
  if (!target) return null;
  if (kind === 'TEXT') return target.body;
  if (kind === 'HEADER') return target.header;
  const names = (m[3] ?? '').split(' ').filter((s) => s !== '').map((s) => s.replace(/^"|"$/g, ''));
  return filterHeader(target.header, names, kind.startsWith('HEADER.FIELDS.NOT'));
}

