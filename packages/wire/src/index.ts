export * from './wire-error.js';
export * from './line/index.js';
