import type { TranscriptEntry } from '@mailwire/net';

import type { CliIo } from './io.js';

/** Prints a redacted transcript line, shortening long ones for a terminal; `start` gives timings. */
export function transcriptPrinter(io: CliIo, options: { indent?: string; width?: number; start?: number } = {}): (entry: TranscriptEntry) => void {
  const indent = options.indent ?? '  ';
  const width = options.width ?? 110;
  return ({ dir, line }) => {
    const shown = line.length > width ? `${line.slice(0, width - 3)}...` : line;
    const at = options.start === undefined ? '' : `${String(Math.round(performance.now() - options.start)).padStart(5)} ms `;
    io.stdout.write(`${indent}${at}${dir}: ${shown}\n`);
  };
}
