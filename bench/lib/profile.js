// Top self-time functions of a .cpuprofile (V8's format, as `node --cpu-prof` writes it).
import { readFileSync } from 'node:fs';

export function topSelfTime(file, n = 20) {
  const p = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(p.nodes.map((x) => [x.id, x]));
  const hits = new Map();
  for (const s of p.samples) hits.set(s, (hits.get(s) ?? 0) + 1);
  const self = new Map();
  let total = 0;
  for (const [id, count] of hits) {
    const f = byId.get(id).callFrame;
    const where = f.url ? f.url.replace(/^file:\/\//, '').split('/').slice(-3).join('/') + ':' + (f.lineNumber + 1) : '(native)';
    const key = `${f.functionName || '(anonymous)'}  ${where}`;
    self.set(key, (self.get(key) ?? 0) + count);
    total += count;
  }
  return [...self].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, c]) => `${((c / total) * 100).toFixed(1).padStart(5)}%  ${k}`);
}
