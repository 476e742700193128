export * from './wire-error.js';
