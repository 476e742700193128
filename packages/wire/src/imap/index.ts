export * from './chars.js';
export * from './imap-framer.js';
export * from './imap-reader.js';
export * from './tokens.js';
