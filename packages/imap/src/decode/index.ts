export * from './imap-response-decoder.js';
export * from './resp-text.js';
export * from './envelope.js';
export * from './body-structure.js';
export * from './fetch.js';
export * from './mailbox-data.js';
export * from './literal-head.js';
export * from './encode-fetch.js';
