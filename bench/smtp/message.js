// The benchmark message: deterministic header and text lines (CRLF), one line in ten starting
// with "." so dot-stuffing does real work, padded to the exact size asked for.
export function buildMessage(size) {
  const head = 'From: bench@example.com\r\nTo: sink@example.com\r\nSubject: mailwire SMTP benchmark\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n';
  const lines = [head];
  let length = head.length;
  let i = 0;
  while (length < size - 80) {
    const line = `${i % 10 === 0 ? '.' : ''}line ${String(i).padStart(6, '0')} ${'abcdefghijklmnopqrstuvwxyz0123456789'.repeat(2)}\r\n`;
    lines.push(line);
    length += line.length;
    i++;
  }
  lines.push('x'.repeat(Math.max(0, size - length - 2)) + '\r\n');
  return Buffer.from(lines.join(''), 'latin1');
}
