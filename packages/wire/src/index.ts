export * from './wire-error.js';
export * from './line/index.js';
export * from './imap/index.js';
