export * from './types.js';
export * from './utf7.js';
export * from './quirks.js';
export * from './decode/index.js';
